from fastapi import FastAPI

app = FastAPI(title="board")

POSTS = [{"id": 1, "text": "Welcome to the board."}]


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    return {"status": "ready"}


@app.get("/api/posts")
def posts() -> list[dict[str, object]]:
    return POSTS
