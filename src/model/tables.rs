//! The tables of plan.md and research.md (ports, environment variables, images), as the
//! documents show them; `resolve::tables` computes them from the deployment model.

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Tables {
    pub ports: Vec<PortRow>,
    pub env: Vec<EnvRow>,
    pub images: Vec<ImageRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortRow {
    pub component: String,
    /// `8000`, or `none (worker)`.
    pub container_port: String,
    /// `backend:8000`, or `none`.
    pub service: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `Ingress`.
    pub exposure: String,
    /// The Ingress host, a NodePort's note, or `in-cluster only`.
    pub reached_at: String,
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvRow {
    pub component: String,
    pub name: String,
    /// `secret`, `config` or `build argument`.
    pub kind: String,
    /// `yes` when the code reads it without a default.
    pub required: String,
    /// The value, or where it comes from (`Secret todo-secrets, key OPENAI_API_KEY`).
    pub value: String,
    /// Where the value or the read is written (`backend/app/config.py:12`).
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageRow {
    pub component: String,
    pub image: String,
    /// `build: node:24-alpine; runtime: node:24-alpine`.
    pub bases: String,
    pub size_budget: String,
}
