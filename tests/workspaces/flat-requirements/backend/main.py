import uvicorn
from fastapi import FastAPI

from settings import settings

app = FastAPI(title="quotes")

QUOTES = [{"text": "Simple is better than complex.", "author": settings.default_author}]


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/quotes")
def quotes() -> list[dict[str, str]]:
    return QUOTES


if __name__ == "__main__":
    uvicorn.run("main:app", host="0.0.0.0", port=settings.port)
