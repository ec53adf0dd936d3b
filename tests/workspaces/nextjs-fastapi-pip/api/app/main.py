from fastapi import FastAPI

from app.routers import notes

app = FastAPI()
app.include_router(notes.router, prefix="/api")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    return {"status": "ready"}
