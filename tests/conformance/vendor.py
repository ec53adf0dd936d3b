#!/usr/bin/env python3
"""How the fixtures of this folder were vendored, to redo it at another commit.

Usage: SP=target/release/sp tests/conformance/vendor.py KUBE_LINTER_GIT POLARIS_GIT KUBE_SCORE_GIT HADOLINT_GIT [CHECKOV_GIT]
(each a git directory of the peer's repository, e.g. a bare clone). Copies the fixture files of
the checks sp's gates mirror or differ from, unchanged (hadolint: the Dockerfile text of each
ruleCatches / ruleCatchesNot case of its Haskell specs), and rewrites expectations.tsv. Review
the printed counts against each peer's own test before committing; update SOURCE.md commits.
Needs PyYAML (to name the documents of the kube-linter fixtures).
"""
import subprocess, re, os, sys, json, yaml
ROOT=os.path.dirname(os.path.abspath(__file__))
def git(repo, *args):
    return subprocess.run(["git","-C",repo,*args],capture_output=True,text=True,check=True).stdout
def docs(text):
    """Documents as (index 1-based, first line, last line, text), split at `---` lines, empty ones skipped."""
    lines=text.split("\n"); out=[]; start=0; cur=[]
    def flush(s,e,seg):
        body="\n".join(seg)
        if any(l.strip() and not l.strip().startswith("#") for l in seg):
            out.append((len(out)+1, s+1, e, body))
    for i,l in enumerate(lines):
        if re.match(r"^---(\s|$)", l):
            flush(start,i,cur); start=i+1; cur=[]
        else: cur.append(l)
    flush(start,len(lines),cur)
    return out
def objs(text):
    res=[]
    for idx,s,e,body in docs(text):
        try: d=yaml.safe_load(body)
        except Exception as ex: d=None
        kind=(d or {}).get("kind","?") if isinstance(d,dict) else "?"
        name=((d or {}).get("metadata") or {}).get("name","?") if isinstance(d,dict) else "?"
        res.append((idx,kind,name,d))
    return res
rows=[]
# ---------------- kube-linter
KL=sys.argv[1]
kl_commit=git(KL,"rev-parse","HEAD").strip()
bats=git(KL,"show","HEAD:e2etests/bats-tests.sh")
KL_CHECKS=["run-as-non-root","no-read-only-root-fs","privilege-escalation-container","privileged-container","host-network","host-pid","host-ipc",
 "drop-net-raw-capability","default-service-account","non-existent-service-account","latest-tag","liveness-port","readiness-port","startup-port",
 "mismatching-selector","dangling-service","non-isolated-pod"]
os.makedirs(f"{ROOT}/kube-linter/checks",exist_ok=True)
report=[]
for c in KL_CHECKS:
    files=[f for f in git(KL,"ls-tree","--name-only","HEAD","tests/checks/").split() if re.match(rf"tests/checks/{re.escape(c)}\.ya?ml$",f)]
    assert len(files)==1,(c,files)
    text=git(KL,"show",f"HEAD:{files[0]}")
    dst=f"kube-linter/checks/{os.path.basename(files[0])}"
    open(f"{ROOT}/{dst}","w").write(text)
    m=re.search(rf'@test "{re.escape(c)}" \{{(.*?)\n\}}',bats,re.S)
    count=int(re.search(r'\[\[ "\$\{count\}" == "(\d+)" \]\]',m.group(1)).group(1))
    fire=0
    for idx,kind,name,d in objs(text):
        if c in ("liveness-port","readiness-port","startup-port"):
            # The check is per container: containers named fire-* fail, dont-fire-* pass.
            for ct in (((d.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []:
                n=ct.get("name","?")
                exp="pass" if n.startswith("dont-fire") else "fail"
                rows.append(["kube-linter",c,dst,str(idx),f"{kind}/{name}",n,exp,f"bats test \"{c}\" (containers named fire-* fail)"])
                fire+= exp=="fail"
            continue
        exp="pass" if "dont" in name or "not-fire" in name or "no-fire" in name else "fail"
        if kind in ("ServiceAccount","NetworkPolicy"):
            continue
        if c=="dangling-service" and kind!="Service":
            continue
        rows.append(["kube-linter",c,dst,str(idx),f"{kind}/{name}","*",exp,f"bats test \"{c}\" (objects named dont-fire pass)"])
        fire+= exp=="fail"
    report.append((c,count,fire))
for r in report: print("kube-linter", *r, "" if r[1]==r[2] else "(bats counts reports, not objects: check by hand)")
# ---------------- Polaris
PO=sys.argv[2]
po_commit=git(PO,"rev-parse","HEAD").strip()
PO_CHECKS=["runAsRootAllowed","notReadOnlyRootFilesystem","privilegeEscalationAllowed","runAsPrivileged","hostNetworkSet","hostPIDSet","hostIPCSet","hostPortSet",
 "insecureCapabilities","dangerousCapabilities","automountServiceAccountToken","cpuRequestsMissing","memoryRequestsMissing","memoryLimitsMissing","cpuLimitsMissing",
 "livenessProbeMissing","tagNotSpecified","missingNetworkPolicy"]
for c in PO_CHECKS:
    os.makedirs(f"{ROOT}/polaris/checks/{c}",exist_ok=True)
    for f in git(PO,"ls-tree","--name-only","HEAD",f"test/checks/{c}/").split():
        b=os.path.basename(f)
        if not (b.startswith("success") or b.startswith("failure")): continue
        text=git(PO,"show",f"HEAD:{f}")
        dst=f"polaris/checks/{c}/{b}"
        open(f"{ROOT}/{dst}","w").write(text)
        rows.append(["Polaris",c,dst,"*","*","*","fail" if b.startswith("failure") else "pass","file name (success/failure), as Polaris's check tests read it"])
# ---------------- kube-score
KS=sys.argv[3]
ks_commit=git(KS,"rev-parse","HEAD").strip()
KS_TESTS={"Container Image Tag":"container-image-tag","Pod Probes Identical":"pod-probes-identical","Container Seccomp Profile":"container-seccomp-profile",
 "Container Security Context ReadOnlyRootFilesystem":"container-security-context-readonlyrootfilesystem"}
os.makedirs(f"{ROOT}/kube-score/testdata",exist_ok=True)
seen=set()
for tf in git(KS,"ls-tree","-r","--name-only","HEAD","score/").split():
    if not tf.endswith("_test.go"): continue
    src=git(KS,"show",f"HEAD:{tf}")
    for fn in re.split(r"\nfunc ",src):
        direct=re.findall(r'testExpectedScore\(t, "([^"]+)", "([^"]+)", scorecard\.(Grade\w+)\)',fn)
        pairs=[]
        if direct: pairs=direct
        else:
            files=re.findall(r'testFile\("([^"]+)"\)',fn)
            grades=re.findall(r'\}, "([^"]+)", scorecard\.(Grade\w+)\)',fn)
            if len(files)==1 and len(grades)==1: pairs=[(files[0],grades[0][0],grades[0][1])]
        for f,name,grade in pairs:
            if name not in KS_TESTS or (f,name) in seen: continue
            seen.add((f,name))
            text=git(KS,"show",f"HEAD:score/testdata/{f}")
            dst=f"kube-score/testdata/{f}"
            open(f"{ROOT}/{dst}","w").write(text)
            rows.append(["kube-score",KS_TESTS[name],dst,"*","*","*","pass" if grade=="GradeAllOK" else "fail",f"{tf}: {name} = {grade}"])
rows.sort(key=lambda r:(r[0].lower(),r[1],r[2],r[3].zfill(3)))
with open(f"{ROOT}/expectations.tsv","w") as f:
    f.write("# peer\tcheck\tfixture\tdocument\tobject\tcontainer\texpect\thow the expectation is known\n")
    for r in rows: f.write("\t".join(r)+"\n")
print(len(rows),"rows")

# ---------------- hadolint
HR=sys.argv[4]
RULES=["DL3025","DL3020","DL3000","DL4006","DL3008","DL3018","DL3013","DL3004","DL3006","DL3007","DL3002"]
def hgit(*a): return subprocess.run(["git","-C",HR,*a],capture_output=True,text=True,check=True).stdout
def hs_string(s,i):
    assert s[i]=='"'; i+=1; out=[]
    while True:
        c=s[i]
        if c=='"': return "".join(out), i+1
        if c=="\\":
            n=s[i+1]
            if n in " \n\t":
                j=s.index("\\",i+1); i=j+1; continue  # string gap
            m={"n":"\n","t":"\t","\\":"\\",'"':'"',"'":"'"}
            if n in m: out.append(m[n]); i+=2; continue
            if n=="&": i+=2; continue
            raise ValueError("escape "+s[i:i+6])
        out.append(c); i+=1
def hs_list(s,i):
    assert s[i]=="["; i+=1; items=[]
    while True:
        while s[i] in " \n\t,": i+=1
        if s[i]=="]": return items,i+1
        v,i=hs_string(s,i); items.append(v)
cases=[]
for r in RULES:
    src=hgit("show",f"HEAD:test/Hadolint/Rule/{r}Spec.hs")
    blocks=re.split(r"\n\s*it ",src)[1:]
    n=0
    for b in blocks:
        if "?config" in b or "Config" in b: continue
        lists={}
        for m in re.finditer(r"let (\w+) =\s*\n?\s*\[",b):
            try:
                lst,_=hs_list(b,m.end()-1); lists[m.group(1)]="\n".join(lst)+"\n"
            except Exception as e: pass
        for m in re.finditer(r"(?<!onBuild)(?<![A-Za-z])rule(Catches|CatchesNot)\s+\"(DL\d+)\"\s+",b):
            kind,rule=m.group(1),m.group(2)
            if rule!=r: continue
            rest=b[m.end():]
            text=None
            mm=re.match(r"\$\s*Text\.unlines\s+(\w+)",rest)
            if mm and mm.group(1) in lists: text=lists[mm.group(1)]
            elif rest.startswith('"'):
                try: text=hs_string(rest,0)[0]+"\n"
                except Exception: text=None
            if text is None: continue
            n+=1
            cases.append((r,n,"fail" if kind=="Catches" else "pass",text))
import collections
print(collections.Counter((c[0],c[2]) for c in cases))
os.makedirs(f"{ROOT}/hadolint",exist_ok=True)
rows=[]
for r,n,exp,text in cases:
    d=f"{ROOT}/hadolint/{r}"; os.makedirs(d,exist_ok=True)
    name=f"{n:02d}-{'catches' if exp=='fail' else 'passes'}.Dockerfile"
    open(f"{d}/{name}","w").write(text)
    rows.append(["hadolint",r,f"hadolint/{r}/{name}","*","*","*",exp,f"test/Hadolint/Rule/{r}Spec.hs: rule{'Catches' if exp=='fail' else 'CatchesNot'}"])
with open(f"{ROOT}/expectations.tsv","a") as f:
    for row in rows: f.write("\t".join(row)+"\n")
print(len(rows), hgit("rev-parse","HEAD"))
# ---------------- checkov
CK=sys.argv[5] if len(sys.argv) > 5 else None
if CK:
    def cgit(*a): return subprocess.run(["git","-C",CK,*a],capture_output=True,text=True,check=True).stdout
    wanted=set()
    cat=json.loads(subprocess.run([os.environ.get("SP","sp"),"explain","--json"],capture_output=True,text=True,check=True).stdout)
    for g in cat["gates"]:
        for m in g["mirrors"]: wanted.add(m["peer"])
        for s in g["strictness"]:
            if s["relation"]=="stricter": wanted.add(s["peer"])
    ids={p.split(" ",1)[1] for p in wanted if p.startswith("checkov ")}
    crow=[]
    for src_dir,test_dir,kind in [("checkov/kubernetes/checks/resource/k8s","tests/kubernetes/checks","k8s"),("checkov/dockerfile/checks","tests/dockerfile/checks","docker")]:
        for f in cgit("ls-tree","--name-only","HEAD",src_dir+"/").split():
            if not f.endswith(".py"): continue
            m=re.search(r'id = "([A-Z0-9_]+)"',cgit("show",f"HEAD:{f}"))
            if not m or m.group(1) not in ids: continue
            cid=m.group(1); name=os.path.basename(f)[:-3]
            for t in cgit("ls-tree","-r","--name-only","HEAD",f"{test_dir}/example_{name}/").split():
                rel=t[len(f"{test_dir}/example_{name}/"):]
                if kind=="k8s":
                    base=os.path.basename(rel)
                    exp="fail" if "FAILED" in base else "pass" if "PASSED" in base else None
                else:
                    top=rel.split("/")[0]
                    exp="fail" if top.startswith("failure") else "pass" if top.startswith("success") else None
                if exp is None: continue
                dst=f"checkov/{cid}/{rel}"
                os.makedirs(os.path.dirname(f"{ROOT}/{dst}"),exist_ok=True)
                open(f"{ROOT}/{dst}","w").write(cgit("show",f"HEAD:{t}"))
                crow.append(["checkov",cid,dst,"*","*","*",exp,f"{test_dir}/example_{name}/{rel} ({'FAILED/failure' if exp=='fail' else 'PASSED/success'} in the name, as checkov's test reads it)"])
    # Checks whose test reads a shared example folder and asserts only the counts: vendored
    # when every file's name says PASSED or FAILED (one resource each) and the counts agree.
    have={r[1] for r in crow}
    for f in cgit("ls-tree","--name-only","HEAD","checkov/kubernetes/checks/resource/k8s/").split():
        if not f.endswith(".py"): continue
        m=re.search(r'id = "([A-Z0-9_]+)"',cgit("show",f"HEAD:{f}"))
        if not m or m.group(1) not in ids or m.group(1) in have: continue
        cid=m.group(1); name=os.path.basename(f)[:-3]
        try: test=cgit("show",f"HEAD:tests/kubernetes/checks/test_{name}.py")
        except subprocess.CalledProcessError: continue
        ex=re.search(r'"/(example_\w+)"',test)
        npass=re.search(r"summary\['passed'\], (\d+)",test); nfail=re.search(r"summary\['failed'\], (\d+)",test)
        if not (ex and npass and nfail): continue
        files=cgit("ls-tree","-r","--name-only","HEAD",f"tests/kubernetes/checks/{ex.group(1)}/").split()
        labelled=[]
        for t in files:
            b=os.path.basename(t)
            if "UNKNOWN" in b or "UNKOWN" in b: continue
            isf="FAILED" in b; isp=("PASSED" in b or "-PASS." in b)
            if isf==isp: labelled=None; break
            labelled.append((t,"fail" if isf else "pass"))
        if not labelled: continue
        if sum(e=="pass" for _,e in labelled)!=int(npass.group(1)) or sum(e=="fail" for _,e in labelled)!=int(nfail.group(1)):
            continue
        for t,exp in labelled:
            rel=os.path.basename(t)
            dst=f"checkov/{cid}/{rel}"
            os.makedirs(os.path.dirname(f"{ROOT}/{dst}"),exist_ok=True)
            open(f"{ROOT}/{dst}","w").write(cgit("show",f"HEAD:{t}"))
            crow.append(["checkov",cid,dst,"*","*","*",exp,f"{t} (tests/kubernetes/checks/test_{name}.py counts {npass.group(1)} passed, {nfail.group(1)} failed, as the file names say)"])
    gdir="checkov/dockerfile/checks/graph_checks"
    for f in cgit("ls-tree","--name-only","HEAD",gdir+"/").split():
        if not f.endswith((".json",".yaml")): continue
        text=cgit("show",f"HEAD:{f}")
        cid=(json.loads(text) if f.endswith(".json") else yaml.safe_load(text))["metadata"]["id"]
        if cid not in ids: continue
        name=os.path.basename(f).rsplit(".",1)[0]
        base=f"tests/dockerfile/graph_builder/checks/resources/{name}/"
        for t in cgit("ls-tree","-r","--name-only","HEAD",base).split():
            rel=t[len(base):]
            top=rel.split("/")[0]
            if top not in ("pass","fail"): continue
            dst=f"checkov/{cid}/{rel}"
            os.makedirs(os.path.dirname(f"{ROOT}/{dst}"),exist_ok=True)
            open(f"{ROOT}/{dst}","w").write(cgit("show",f"HEAD:{t}"))
            crow.append(["checkov",cid,dst,"*","*","*","fail" if top=="fail" else "pass",f"{base}{rel} (in {top}/, as checkov's graph check test reads it)"])
    crow.sort(key=lambda r:(r[1],r[2]))
    with open(f"{ROOT}/expectations.tsv","a") as fh:
        for row in crow: fh.write("\t".join(row)+"\n")
    print(len(crow),"checkov rows", cgit("rev-parse","HEAD").strip())
