//! The helm commands of a feature's chart (lint, template, install, upgrade, rollback…),
//! the one place they are written: the quickstart, plan.md (through `render::ops`), the
//! values files' headers and the chart's contract all print these.

use serde::Serialize;

use crate::model::deploy::Deployment;
use crate::render::shell::quote;

/// The commands of the Helm chart, for the quickstart, plan.md and the chart's contract.
#[derive(Debug, Clone, Serialize)]
pub struct HelmCommands {
    /// The chart's folder, relative to the workspace root.
    pub chart: String,
    pub release: String,
    pub lint: String,
    /// Renders offline what `install` would create (the raw manifests' objects).
    pub template: String,
    pub install: String,
    pub test: String,
    pub upgrade: String,
    pub production: String,
    pub history: String,
    pub rollback: String,
    pub uninstall: String,
}

pub fn helm_commands(d: &Deployment, out_dir: &str) -> HelmCommands {
    let ns = &d.namespace.value;
    let release = super::chart_name(d).to_string();
    let chart_path = format!("{out_dir}/{}", super::chart_dir(d));
    let local = format!("-f {}", quote(&format!("{chart_path}/values-local.yaml")));
    let production_values = quote(&format!("{chart_path}/values-production.yaml")).into_owned();
    let chart = quote(&chart_path).into_owned();
    HelmCommands {
        lint: format!("helm lint --strict {chart} {local}"),
        template: format!("helm template {release} {chart} -n {ns} {local}"),
        install: format!("helm install {release} {chart} -n {ns} --create-namespace {local} --wait --timeout 5m"),
        test: format!("helm test {release} -n {ns} --logs"),
        upgrade: format!("helm upgrade {release} {chart} -n {ns} {local} --wait --timeout 5m"),
        production: format!(
            "helm upgrade --install {release} {chart} -n {ns} --create-namespace -f {production_values} --wait --timeout 10m"
        ),
        history: format!("helm history {release} -n {ns}"),
        rollback: format!("helm rollback {release} -n {ns} --wait"),
        uninstall: format!("helm uninstall {release} -n {ns}"),
        chart: chart_path,
        release,
    }
}
