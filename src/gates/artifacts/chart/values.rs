//! Every values file, layered over values.yaml as `helm -f` layers it, validated against the
//! chart's values.schema.json (patterns and formats included).

use crate::gates::artifacts::parse::Pos;
use crate::gates::artifacts::schema;
use crate::gates::artifacts::{Acc, Input};

pub(crate) fn values_schema(input: &Input, acc: &mut Acc) {
    let charts = input.charts;
    for c in charts {
        let label = c.label();
        let validator = match c.schema.as_deref() {
            None => {
                acc.fail(
                    "schema-missing",
                    &c.meta_file(),
                    Pos { line: 1, column: 1 },
                    label,
                    "the chart has no values.schema.json: wrong or misspelled values render silently",
                    "no values.schema.json",
                );
                continue;
            }
            Some(schema::Schema {
                json: Err((e, pos)), ..
            }) => {
                acc.fail(
                    "schema-invalid",
                    &c.path("values.schema.json"),
                    *pos,
                    label,
                    e.clone(),
                    "invalid values.schema.json",
                );
                continue;
            }
            Some(schema::Schema { validator, .. }) => match validator {
                Some(Ok(v)) => v,
                Some(Err(e)) => {
                    acc.fail(
                        "schema-invalid",
                        &c.path("values.schema.json"),
                        Pos { line: 1, column: 1 },
                        label,
                        format!("values.schema.json is not a valid JSON Schema: {e}"),
                        "invalid values.schema.json",
                    );
                    continue;
                }
                None => continue,
            },
        };
        let mut bad = false;
        for v in &c.values {
            if let Some((e, pos)) = &v.error {
                bad = true;
                acc.fail(
                    "values-invalid-yaml",
                    &c.path(&v.rel),
                    *pos,
                    label.clone(),
                    format!("{} is not valid YAML: {e}", v.rel),
                    "invalid YAML",
                );
            }
        }
        let mut seen: Vec<(usize, Pos, String)> = Vec::new();
        let mut names = Vec::new();
        for i in 0..c.values.len().max(1) {
            let merged = if c.base_values().is_some() {
                c.merged(i)
            } else {
                // No values.yaml: the overlays alone are what Helm validates.
                c.values.get(i).and_then(|v| v.val.clone())
            };
            let Some(merged) = merged else { continue };
            if let Some(v) = c.values.get(i) {
                names.push(v.rel.clone());
            }
            for err in schema::validate(validator, &merged) {
                let key = (err.file, err.pos, err.message.clone());
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                bad = true;
                let file = c.values.get(err.file).map(|v| v.rel.as_str()).unwrap_or("values.yaml");
                let layered = c
                    .values
                    .get(i)
                    .filter(|_| i > 0)
                    .map(|v| format!(" (values.yaml + {})", v.rel))
                    .unwrap_or_default();
                acc.fail(
                    "values-violate-schema",
                    &c.path(file),
                    err.pos,
                    label.clone(),
                    format!(
                        "{}{layered}: {}",
                        if err.path.is_empty() { "values" } else { &err.path },
                        err.message
                    ),
                    err.found,
                );
            }
        }
        if !bad {
            acc.pass(
                &c.path("values.schema.json"),
                Pos { line: 1, column: 1 },
                label,
                format!(
                    "{} valid against values.schema.json",
                    if names.is_empty() {
                        "no values file".into()
                    } else {
                        names.join(", ")
                    }
                ),
            );
        }
    }
}
