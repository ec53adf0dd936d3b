from fastapi import FastAPI

from backend.config import settings

app = FastAPI(title=settings.app_name)

TASKS: list[dict[str, str]] = []


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    return {"status": "ready"}


@app.get("/api/tasks")
def list_tasks() -> list[dict[str, str]]:
    return TASKS


@app.post("/api/tasks")
def add_task(title: str) -> dict[str, str]:
    task = {"title": title}
    TASKS.append(task)
    return task
