//! Identity: the service account a pod runs as, and whether its API token is mounted.

use crate::gates::artifacts::parse::{Object, Pod, Pos, as_bool, entry, text};
use crate::gates::artifacts::pods::{kv, pods, same_ns};
use crate::gates::artifacts::{Acc, Input};
use crate::yaml::Node;

pub(crate) fn service_account_name<'a>(p: &Pod<'a>) -> Option<(&'a Node, &'a str)> {
    p.field("serviceAccountName")
        .or_else(|| p.field("serviceAccount"))
        .and_then(|(k, v)| text(v).map(|t| (k, t)))
}

pub(crate) fn find_sa<'a>(objs: &'a [Object], name: &str, ns: &Option<String>) -> Option<&'a Object> {
    objs.iter()
        .find(|o| o.kind == "ServiceAccount" && o.name == name && same_ns(&o.namespace, ns))
}

pub(crate) fn sa_token_automount_off(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for p in pods(objs) {
        let o = p.obj;
        match p.field("automountServiceAccountToken") {
            Some((k, v)) if as_bool(v) == Some(false) => acc.pass(&o.file, Pos::of(k), o.subject(), kv(k, v)),
            Some((k, v)) => acc.fail(
                "pod-automount-on",
                &o.file,
                Pos::of(k),
                o.subject(),
                "the pod mounts a Kubernetes API token",
                kv(k, v),
            ),
            None => {
                let sa = service_account_name(&p).map(|(_, n)| n).unwrap_or("default");
                let sa_off = find_sa(objs, sa, &o.namespace)
                    .and_then(|s| entry(&s.root, "automountServiceAccountToken").map(|(k, v)| (s, k, v)))
                    .filter(|(_, _, v)| as_bool(v) == Some(false));
                match sa_off {
                    Some((s, k, v)) => {
                        acc.pass(&s.file, Pos::of(k), o.subject(), format!("{} on ServiceAccount {}", kv(k, v), s.name))
                    }
                    None => acc.fail(
                        "pod-automount-unset",
                        &o.file,
                        p.spec_key,
                        o.subject(),
                        format!("automountServiceAccountToken is not false on the pod or its ServiceAccount `{sa}`: the pod gets an API token"),
                        "automountServiceAccountToken not set",
                    ),
                }
            }
        }
    }
    for s in objs.iter().filter(|o| o.kind == "ServiceAccount") {
        match entry(&s.root, "automountServiceAccountToken") {
            Some((k, v)) if as_bool(v) == Some(false) => acc.pass(&s.file, Pos::of(k), s.subject(), kv(k, v)),
            Some((k, v)) => acc.fail(
                "service-account-automount-on",
                &s.file,
                Pos::of(k),
                s.subject(),
                "the ServiceAccount mounts its token into every pod that uses it",
                kv(k, v),
            ),
            None => acc.fail(
                "service-account-automount-unset",
                &s.file,
                s.pos(),
                s.subject(),
                "the ServiceAccount does not set automountServiceAccountToken: false",
                "automountServiceAccountToken not set",
            ),
        }
    }
}

pub(crate) fn dedicated_service_account(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    let any_sa = objs.iter().any(|o| o.kind == "ServiceAccount");
    for p in pods(objs) {
        let o = p.obj;
        match service_account_name(&p) {
            None => acc.fail(
                "service-account-unset",
                &o.file,
                p.spec_key,
                o.subject(),
                "no serviceAccountName: the pod runs as the namespace's `default` account",
                "serviceAccountName not set",
            ),
            Some((k, "default")) => acc.fail(
                "service-account-default",
                &o.file,
                Pos::of(k),
                o.subject(),
                "the pod runs as the namespace's shared `default` account",
                "serviceAccountName: default",
            ),
            Some((k, name)) if any_sa && find_sa(objs, name, &o.namespace).is_none() => acc.fail(
                "service-account-missing",
                &o.file,
                Pos::of(k),
                o.subject(),
                format!("ServiceAccount `{name}` is not defined with these manifests: the pod will not be admitted"),
                format!("serviceAccountName: {name}"),
            ),
            Some((k, name)) => {
                let note = if any_sa {
                    ""
                } else {
                    " (no ServiceAccount in these manifests to check it against)"
                };
                acc.pass(
                    &o.file,
                    Pos::of(k),
                    o.subject(),
                    format!("serviceAccountName: {name}{note}"),
                )
            }
        }
    }
}
