import os

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="notes")

GREETING = os.getenv("NOTES_GREETING", "hello")
NOTES: list[str] = []


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ready")
def ready() -> dict[str, str]:
    return {"status": "ready", "greeting": GREETING}


@app.get("/notes")
def list_notes() -> list[str]:
    return NOTES


def run() -> None:
    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT", "8000")))
