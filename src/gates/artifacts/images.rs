//! Images: pinned tags and digests in manifests, Dockerfiles and chart values, and the pull
//! policy.

use crate::gates::artifacts::chart::Chart;
use crate::gates::artifacts::dockerfile::shell::copy_from_image;
use crate::gates::artifacts::dockerfile::{Dockerfile, Instr};
use crate::gates::artifacts::parse::{Object, Pos, image_ref, mutable_tag, text};
use crate::gates::artifacts::pods::{containers, kv};
use crate::gates::artifacts::schema::{VKind, Val};
use crate::gates::artifacts::{Acc, Input};

/// image-tag-pinned: every image reference of the manifests, the Dockerfiles' FROM lines and
/// the charts' values.
pub(crate) fn image_tag_pinned(input: &Input, acc: &mut Acc) {
    manifests_image_tag_pinned(input.objects, acc);
    dockerfile_image_tag_pinned(input.dockerfiles, acc);
    chart_image_tag_pinned(input.charts, acc);
}

fn manifests_image_tag_pinned(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let Some((k, image)) = c.image() else {
            acc.fail(
                "image-missing",
                c.file(),
                c.pos(),
                c.object(),
                "the container has no image",
                "no image",
            );
            continue;
        };
        let r = image_ref(image);
        if r.digest.is_some() {
            acc.pass(c.file(), Pos::of(k), c.object(), format!("image: {image} (digest)"));
            continue;
        }
        match r.tag.as_deref() {
            None => acc.fail(
                "image-untagged",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("`{image}` has no tag: it runs whatever `latest` is"),
                format!("image: {image}"),
            ),
            Some(t) if mutable_tag(t) => acc.fail(
                "image-mutable-tag",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("`{image}` uses the moving tag `{t}`"),
                format!("image: {image}"),
            ),
            Some(_) => acc.pass(c.file(), Pos::of(k), c.object(), format!("image: {image}")),
        }
    }
}

pub(crate) fn image_pull_policy(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    for c in containers(objs) {
        let Some((_, image)) = c.image() else { continue };
        let r = image_ref(image);
        let mutable = r.digest.is_none() && r.tag.as_deref().is_none_or(mutable_tag);
        match c.field("imagePullPolicy") {
            None => acc.fail(
                "pull-policy-unset",
                c.file(),
                c.image().map(|(k, _)| Pos::of(k)).unwrap_or(c.pos()),
                c.object(),
                "imagePullPolicy is implicit: it changes with the tag (Always for latest, IfNotPresent otherwise)",
                "imagePullPolicy not set",
            ),
            Some((k, v)) => {
                let policy = text(v).unwrap_or_default();
                match policy {
                    "Always" if r.digest.is_some() => acc.fail(
                        "pull-policy-always-with-digest",
                        c.file(),
                        Pos::of(k),
                        c.object(),
                        "Always with a digest only adds a registry round-trip to every start: use IfNotPresent",
                        kv(k, v),
                    ),
                    "IfNotPresent" | "Never" if mutable => acc.fail(
                        "pull-policy-cached-mutable-tag",
                        c.file(),
                        Pos::of(k),
                        c.object(),
                        format!("{policy} with the mutable reference `{image}`: nodes keep running whatever they pulled first"),
                        kv(k, v),
                    ),
                    "Always" | "IfNotPresent" | "Never" => acc.pass(c.file(), Pos::of(k), c.object(), format!("{} for {image}", kv(k, v))),
                    _ => acc.fail("pull-policy-invalid", c.file(), Pos::of(k), c.object(), format!("`{policy}` is not a pull policy"), kv(k, v)),
                }
            }
        }
    }
}

fn dockerfile_image_tag_pinned(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let mut refs: Vec<(&Instr, String, String)> = Vec::new();
        for (si, s) in d.stages.iter().enumerate() {
            if s.parent.is_some() || s.base.eq_ignore_ascii_case("scratch") {
                continue;
            }
            refs.push((&d.instrs[s.from], s.base.clone(), d.stage_label(si)));
        }
        for i in &d.instrs {
            if let Some(img) = copy_from_image(d, i) {
                refs.push((i, img, "COPY --from".into()));
            }
        }
        for (instr, image, what) in refs {
            let r = image_ref(&image);
            let object = format!("{} ({what})", d.file);
            if image.contains('$') {
                acc.pass(
                    &d.file,
                    instr.pos(),
                    object,
                    format!("{} (a build argument without default: not verified)", instr.show()),
                );
            } else if r.digest.is_some() {
                acc.pass(&d.file, instr.pos(), object, format!("{image} (digest)"));
            } else {
                match r.tag.as_deref() {
                    None => acc.fail(
                        "from-untagged",
                        &d.file,
                        instr.pos(),
                        object,
                        format!("`{image}` has no tag: it resolves to `latest`, whatever was pushed last"),
                        instr.show(),
                    ),
                    Some(t) if mutable_tag(t) => acc.fail(
                        "from-mutable-tag",
                        &d.file,
                        instr.pos(),
                        object,
                        format!("`{image}` uses the moving tag `{t}`: pin a version tag or a digest"),
                        instr.show(),
                    ),
                    Some(_) => acc.pass(&d.file, instr.pos(), object, image.clone()),
                }
            }
        }
    }
}

fn chart_image_tag_pinned(charts: &[Chart], acc: &mut Acc) {
    fn walk(v: &Val, path: &str, out: &mut Vec<(String, String, usize, Pos)>) {
        if let VKind::Map(entries) = &v.kind {
            for (k, kp, child) in entries {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k == "image" {
                    match &child.kind {
                        VKind::Map(_) => {
                            if let Some((tag, tp)) = child.lookup(&["tag"]) {
                                let digest = child.get("digest").and_then(Val::as_text).filter(|d| !d.is_empty());
                                if digest.is_none() {
                                    out.push((format!("{p}.tag"), tag.as_text().unwrap_or_default(), tag.file, tp));
                                }
                            }
                        }
                        VKind::Str(s) if !s.contains('@') => out.push((
                            p.clone(),
                            image_ref(s).tag.unwrap_or_else(|| "(none)".into()),
                            child.file,
                            *kp,
                        )),
                        _ => {}
                    }
                } else {
                    walk(child, &p, out);
                }
            }
        }
    }
    for c in charts {
        for i in 0..c.values.len() {
            let Some(v) = &c.values[i].val else { continue };
            let mut tags = Vec::new();
            walk(v, "", &mut tags);
            for (path, tag, f, pos) in tags {
                let file = c.path(&c.values[f].rel);
                if mutable_tag(&tag) || tag == "(none)" {
                    acc.fail(
                        "image-tag-unpinned",
                        &file,
                        pos,
                        c.label(),
                        format!("`{path}` is `{tag}`: pin a version tag or a digest"),
                        format!("{path}: {tag}"),
                    );
                } else {
                    let shown = if tag.is_empty() {
                        "\"\" (the chart's appVersion)".to_string()
                    } else {
                        tag
                    };
                    acc.pass(&file, pos, c.label(), format!("{path}: {shown}"));
                }
            }
        }
    }
}
