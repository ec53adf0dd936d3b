//! The notes API: a list of notes kept in memory, and the probes Kubernetes calls.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
struct Note {
    text: String,
}

type Notes = Arc<Mutex<Vec<Note>>>;

async fn list(State(notes): State<Notes>) -> Json<Vec<Note>> {
    Json(notes.lock().expect("notes lock").clone())
}

async fn create(State(notes): State<Notes>, Json(note): Json<Note>) -> (StatusCode, Json<Note>) {
    notes.lock().expect("notes lock").push(note.clone());
    (StatusCode::CREATED, Json(note))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz() -> &'static str {
    "ready"
}

/// Kubernetes stops a pod with SIGTERM; finish the requests in flight, then exit.
async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("install the SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8090);
    let greeting = std::env::var("NOTES_GREETING").unwrap_or_else(|_| "notes".to_string());
    let notes: Notes = Arc::new(Mutex::new(vec![Note { text: greeting }]));
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/notes", get(list).post(create))
        .with_state(notes);
    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind the port");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .expect("serve");
}
