//! Secrets: credentials written into ConfigMaps, env literals and Dockerfile build arguments.

use crate::gates::artifacts::dockerfile::Dockerfile;
use crate::gates::artifacts::dockerfile::shell::assignments;
use crate::gates::artifacts::parse::{self, Object, Pos, entry, get, get_str, items, text};
use crate::gates::artifacts::pods::containers;
use crate::gates::artifacts::{Acc, Input};
// One judgement of what is a credential for the gates and for the resolver that decides
// what goes into a Secret, so sp never writes what its own gates reject.
pub(crate) use crate::parse::secrets::{credential_value, secretish};

pub(crate) fn no_secrets_in_configmap(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for o in objs.iter().filter(|o| o.kind == "ConfigMap") {
        let mut bad = false;
        let mut count = 0;
        for section in ["data", "binaryData"] {
            for (k, v) in get(&o.root, section).map(parse::entries).unwrap_or_default() {
                count += 1;
                let key = text(k).unwrap_or_default();
                let value = text(v).unwrap_or_default();
                if secretish(key) {
                    bad = true;
                    acc.fail(
                        "secret-like-key",
                        &o.file,
                        Pos::of(k),
                        o.subject(),
                        format!("key `{key}` looks like a secret: ConfigMaps are readable in clear text"),
                        key.to_string(),
                    );
                } else if let Some(what) = credential_value(value) {
                    bad = true;
                    acc.fail(
                        "credential-value",
                        &o.file,
                        Pos::of(k),
                        o.subject(),
                        format!("the value of `{key}` holds {what}"),
                        key.to_string(),
                    );
                }
            }
        }
        if !bad {
            acc.pass(&o.file, o.pos(), o.subject(), format!("{count} keys, none secret-like"));
        }
    }
}

/// no-secret-env-literals: credentials in env literals of the manifests and in a Dockerfile's
/// ARG and ENV.
pub(crate) fn no_secret_env_literals(input: &Input, acc: &mut Acc) {
    manifests_secret_env_literals(input.objects, acc);
    dockerfile_secret_args(input.dockerfiles, acc);
}

fn manifests_secret_env_literals(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let mut bad = false;
        let mut seen = Vec::new();
        for e in c.field("env").map(|(_, v)| items(v)).unwrap_or_default() {
            let name = get_str(e, "name").unwrap_or_default();
            let Some((vk, v)) = entry(e, "value") else {
                if get(e, "valueFrom").and_then(|f| get(f, "secretKeyRef")).is_some() {
                    seen.push(format!("{name} from secretKeyRef"));
                }
                continue;
            };
            let value = text(v).unwrap_or_default();
            if value.is_empty() {
                continue;
            }
            if secretish(name) {
                bad = true;
                acc.fail(
                    "secret-env-literal",
                    c.file(),
                    Pos::of(vk),
                    c.object(),
                    format!("`{name}` is a secret written as a literal value: read it from a Secret (secretKeyRef or a mounted file)"),
                    format!("{name}: {}", if value.len() > 4 { format!("{}…", &value[..value.char_indices().nth(4).map(|(i, _)| i).unwrap_or(0)]) } else { "…".into() }),
                );
            } else if let Some(what) = credential_value(value) {
                bad = true;
                acc.fail(
                    "credential-env-value",
                    c.file(),
                    Pos::of(vk),
                    c.object(),
                    format!("`{name}` holds {what} as a literal value"),
                    name.to_string(),
                );
            } else if name.ends_with("_FILE") {
                seen.push(format!("{name} names a file"));
            }
        }
        if !bad {
            let found = if seen.is_empty() {
                "no secret-like literal".to_string()
            } else {
                seen.join(", ")
            };
            acc.pass(c.file(), c.pos(), c.object(), found);
        }
    }
}

fn dockerfile_secret_args(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let mut bad = false;
        let mut count = 0;
        for i in d.instrs.iter().filter(|i| i.keyword == "ARG" || i.keyword == "ENV") {
            let label = i.stage.map(|s| d.stage_label(s)).unwrap_or_else(|| d.file.clone());
            for (k, v) in assignments(&i.args) {
                count += 1;
                // A browser-public variable (`NEXT_PUBLIC_…_KEY`) is inlined into the bundle
                // every visitor downloads: its ARG reveals nothing the site does not serve.
                let public = i.keyword == "ARG" && crate::parse::source::node::build_time(&k);
                if secretish(&k) && !public {
                    bad = true;
                    acc.fail(
                        "secret-like-name",
                        &d.file,
                        i.pos(),
                        label.clone(),
                        format!("{} `{k}` puts a secret into the image's metadata and history: use `RUN --mount=type=secret`", i.keyword),
                        i.show(),
                    );
                } else if let Some(what) = v.as_deref().and_then(credential_value) {
                    bad = true;
                    acc.fail(
                        "credential-value",
                        &d.file,
                        i.pos(),
                        label.clone(),
                        format!("{} `{k}` holds {what}", i.keyword),
                        i.show(),
                    );
                }
            }
        }
        if !bad && let Some(from) = d.instrs.first() {
            acc.pass(
                &d.file,
                from.pos(),
                d.file.clone(),
                format!("{count} ARG/ENV variables, none secret-like"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secretish;

    #[test]
    fn secret_like_keys_and_counts() {
        for key in ["DB_PASSWORD", "jwtSecret", "OPENAI_API_KEY", "GITHUB_TOKENS", "creds"] {
            assert!(secretish(key), "{key}");
        }
        for key in [
            "MAX_CONTEXT_TOKENS",
            "MIN_PASSWORD_LENGTH",
            "FOREIGN_KEY",
            "LOG_LEVEL",
            "NUM_TOKENS",
        ] {
            assert!(!secretish(key), "{key}");
        }
    }
}
