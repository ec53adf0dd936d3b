//! Integration tests: the real `sp` binary on real workspaces.
//!
//! One test binary with one module per concern (the layout of mdBook, just and ruff), so
//! cargo links it once. See `tests/README.md` for how to add a fixture and review snapshots.

mod cli;
mod corpus;
mod determinism;
mod examples;
mod fixtures;
mod gates;
mod hardening;
mod integrations;
mod ports;
mod readme;
mod regen;
mod regressions;
mod review;
mod support;
mod workspaces;
