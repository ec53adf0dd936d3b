//! Security context: who a container runs as (user, group, non-root), its root filesystem,
//! privilege escalation, privileged mode, capabilities and seccomp; and a Dockerfile's final
//! numeric USER, which decides the same user when the manifest does not.

use crate::gates::artifacts::dockerfile::Dockerfile;
use crate::gates::artifacts::dockerfile::build::last_in_chain;
use crate::gates::artifacts::parse::{Object, Pos, as_bool, as_int, entry, get, get_str, items, show, text};
use crate::gates::artifacts::pods::{containers, kv, level, pods};
use crate::gates::artifacts::{Acc, Input};

pub(crate) fn run_as_non_root(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for c in containers(objs) {
        // The root group: files owned by group 0 (most of a base image) stay writable.
        if let Some((k, v, l)) = c.effective("runAsGroup")
            && as_int(v) == Some(0)
        {
            acc.fail(
                "run-as-group-zero",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("runs in the root group: runAsGroup 0 in the {}", level(l)),
                kv(k, v),
            );
        }
        let user = c.effective("runAsUser");
        let non_root = c.effective("runAsNonRoot");
        let uid = user.and_then(|(_, v, _)| as_int(v));
        if let (Some((k, v, l)), Some(0)) = (user, uid) {
            acc.fail(
                "run-as-user-zero",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("runs as root: runAsUser 0 in the {}", level(l)),
                kv(k, v),
            );
            continue;
        }
        match non_root {
            Some((k, v, l)) if as_bool(v) == Some(true) => acc.pass(c.file(), Pos::of(k), c.object(), format!("{} ({})", kv(k, v), level(l))),
            _ if uid.is_some_and(|u| u > 0) => {
                let (k, v, l) = user.expect("uid comes from runAsUser");
                acc.pass(c.file(), Pos::of(k), c.object(), format!("{} ({})", kv(k, v), level(l)))
            }
            Some((k, v, l)) => acc.fail(
                "run-as-non-root-false",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("runAsNonRoot is not true in the {} and no runAsUser above 0 is set", level(l)),
                kv(k, v),
            ),
            None => acc.fail(
                "run-as-non-root-unset",
                c.file(),
                c.security_pos(),
                c.object(),
                "neither the pod nor the container sets runAsNonRoot: true (or a runAsUser above 0): the image decides, root by default",
                "runAsNonRoot not set",
            ),
        }
    }
}

/// run-as-high-uid: the effective user and group of every container, and a Dockerfile's final
/// numeric USER.
pub(crate) fn run_as_high_uid(input: &Input, acc: &mut Acc) {
    manifests_high_uid(input.objects, acc);
    dockerfile_high_uid(input.dockerfiles, acc);
}

fn manifests_high_uid(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let mut ok = Vec::new();
        let mut bad = false;
        for key in ["runAsUser", "runAsGroup"] {
            match c.effective(key) {
                Some((k, v, l)) => match as_int(v) {
                    Some(id) if id >= 10000 => ok.push((k, format!("{} ({})", kv(k, v), level(l)))),
                    _ => {
                        bad = true;
                        acc.fail(
                            if key == "runAsUser" {
                                "run-as-user-low"
                            } else {
                                "run-as-group-low"
                            },
                            c.file(),
                            Pos::of(k),
                            c.object(),
                            format!("{key} is below 10000: it can collide with a host user or group"),
                            kv(k, v),
                        );
                    }
                },
                None => {
                    bad = true;
                    acc.fail(
                        if key == "runAsUser" {
                            "run-as-user-unset"
                        } else {
                            "run-as-group-unset"
                        },
                        c.file(),
                        c.security_pos(),
                        c.object(),
                        format!("{key} is not set: the image decides which ID the process runs as"),
                        format!("{key} not set"),
                    );
                }
            }
        }
        if !bad && let Some((k, _)) = ok.first() {
            let found = ok.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(", ");
            acc.pass(c.file(), Pos::of(k), c.object(), found);
        }
    }
}

/// A container-level boolean security field that must have the `want` value.
/// `rules`: the rule names for a wrong value and for a missing field.
pub(crate) fn container_flag(
    objs: &[Object],
    acc: &mut Acc,
    key: &str,
    want: bool,
    why: &str,
    rules: (&'static str, &'static str),
) {
    for c in containers(objs) {
        match c.security(key) {
            Some((k, v)) if as_bool(v) == Some(want) => acc.pass(c.file(), Pos::of(k), c.object(), kv(k, v)),
            Some((k, v)) => acc.fail(
                rules.0,
                c.file(),
                Pos::of(k),
                c.object(),
                format!("{key} is not {want}: {why}"),
                kv(k, v),
            ),
            None => acc.fail(
                rules.1,
                c.file(),
                c.security_pos(),
                c.object(),
                format!("{key}: {want} is not set: {why}"),
                format!("{key} not set"),
            ),
        }
    }
}

pub(crate) fn read_only_root_fs(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    container_flag(
        objs,
        acc,
        "readOnlyRootFilesystem",
        true,
        "the process can modify its own image at run time",
        ("read-only-root-fs-false", "read-only-root-fs-unset"),
    );
}

pub(crate) fn no_privilege_escalation(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    container_flag(
        objs,
        acc,
        "allowPrivilegeEscalation",
        false,
        "setuid binaries can gain privileges (the default is true)",
        ("privilege-escalation-allowed", "privilege-escalation-unset"),
    );
}

pub(crate) fn no_privileged(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for p in pods(objs) {
        let mut bad = false;
        for key in ["hostNetwork", "hostPID", "hostIPC"] {
            if let Some((k, v)) = p.field(key)
                && as_bool(v) == Some(true)
            {
                bad = true;
                acc.fail(
                    match key {
                        "hostNetwork" => "host-network",
                        "hostPID" => "host-pid",
                        _ => "host-ipc",
                    },
                    &p.obj.file,
                    Pos::of(k),
                    p.obj.subject(),
                    format!("{key}: true shares the node's namespace with the pod"),
                    kv(k, v),
                );
            }
        }
        for c in p.containers() {
            let mut cbad = false;
            if let Some((k, v)) = c.security("privileged")
                && as_bool(v) == Some(true)
            {
                cbad = true;
                acc.fail(
                    "privileged",
                    c.file(),
                    Pos::of(k),
                    c.object(),
                    "a privileged container is root on the node",
                    kv(k, v),
                );
            }
            for port in c.field("ports").map(|(_, v)| items(v)).unwrap_or_default() {
                if let Some((k, v)) = entry(port, "hostPort")
                    && as_int(v).is_some_and(|h| h != 0)
                {
                    cbad = true;
                    acc.fail(
                        "host-port",
                        c.file(),
                        Pos::of(k),
                        c.object(),
                        "hostPort binds the pod to a port of its node",
                        kv(k, v),
                    );
                }
            }
            bad |= cbad;
            if !cbad && !bad {
                let found = match c.security("privileged") {
                    Some((k, v)) => kv(k, v),
                    None => "not privileged, no host namespaces or ports".into(),
                };
                acc.pass(c.file(), c.security_pos(), c.object(), found);
            }
        }
    }
}

pub(crate) fn drop_all_capabilities(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for c in containers(objs) {
        let caps = c.security("capabilities");
        let drop = caps.and_then(|(_, v)| get(v, "drop")).map(items).unwrap_or_default();
        let drops_all = drop
            .iter()
            .any(|d| text(d).is_some_and(|t| t.eq_ignore_ascii_case("all")));
        let mut bad = false;
        if !drops_all {
            bad = true;
            let pos = caps.map(|(k, _)| Pos::of(k)).unwrap_or(c.security_pos());
            let found = caps
                .and_then(|(_, v)| entry(v, "drop"))
                .map(|(k, v)| kv(k, v))
                .unwrap_or("no capabilities.drop".into());
            acc.fail(
                "drop-all-missing",
                c.file(),
                pos,
                c.object(),
                "capabilities.drop does not contain ALL: the runtime's default capabilities stay",
                found,
            );
        }
        for a in caps.and_then(|(_, v)| get(v, "add")).map(items).unwrap_or_default() {
            let cap = text(a).unwrap_or_default();
            let name = cap.trim_start_matches("CAP_");
            if !name.eq_ignore_ascii_case("NET_BIND_SERVICE") {
                bad = true;
                acc.fail(
                    "capability-added",
                    c.file(),
                    Pos::of(a),
                    c.object(),
                    format!("capability {cap} is added back"),
                    format!("add: {cap}"),
                );
            }
        }
        if !bad && let Some((k, v)) = caps {
            acc.pass(c.file(), Pos::of(k), c.object(), format!("capabilities: {}", show(v)));
        }
    }
}

pub(crate) fn seccomp_runtime_default(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for c in containers(objs) {
        match c.effective("seccompProfile") {
            Some((k, v, l)) => {
                let t = get_str(v, "type").unwrap_or_default();
                let pos = entry(v, "type").map(|(tk, _)| Pos::of(tk)).unwrap_or(Pos::of(k));
                if t == "RuntimeDefault" || t == "Localhost" {
                    acc.pass(
                        c.file(),
                        pos,
                        c.object(),
                        format!("seccompProfile.type: {t} ({})", level(l)),
                    );
                } else {
                    acc.fail(
                        "seccomp-unconfined",
                        c.file(),
                        pos,
                        c.object(),
                        format!(
                            "seccompProfile.type is `{t}` in the {}: every syscall is allowed",
                            level(l)
                        ),
                        format!("seccompProfile: {}", show(v)),
                    );
                }
            }
            None => acc.fail(
                "seccomp-unset",
                c.file(),
                c.security_pos(),
                c.object(),
                "no seccompProfile in the pod or container securityContext: the container runs Unconfined",
                "seccompProfile not set",
            ),
        }
    }
}

/// run-as-high-uid for Dockerfiles: the final USER, when numeric, is 10000 or more (uid and
/// gid). A name cannot be judged without the image's /etc/passwd.
fn dockerfile_high_uid(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let Some(u) = last_in_chain(d, "USER") else { continue };
        let label = d.stage_label(d.stages.len().saturating_sub(1));
        let user = u.args.split_whitespace().next().unwrap_or_default();
        let ids: Vec<&str> = user.split(':').collect();
        if !ids
            .iter()
            .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let low: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|i| i.parse::<u64>().map_or(true, |v| v < 10000))
            .collect();
        if low.is_empty() {
            acc.pass(&d.file, u.pos(), label, u.show());
        } else {
            acc.fail(
                "user-low-id",
                &d.file,
                u.pos(),
                label,
                format!("USER {user}: IDs below 10000 can collide with a host user or group"),
                u.show(),
            );
        }
    }
}
