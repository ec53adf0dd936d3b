from fastapi import FastAPI

app = FastAPI()

TASKS = [{"id": 1, "title": "Write the spec", "column": "done"}]


@app.get("/tasks")
def tasks() -> list[dict[str, object]]:
    return TASKS


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}
