from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, HTTPException

from app.config import settings


def ping() -> None:
    with psycopg.connect(settings.database_url, connect_timeout=5) as conn:
        conn.execute("SELECT 1")


@asynccontextmanager
async def lifespan(_: FastAPI):
    # Fail fast when the database is unreachable: the pod never becomes Ready.
    ping()
    yield


app = FastAPI(title="chat", lifespan=lifespan)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    try:
        ping()
    except psycopg.Error as exc:
        raise HTTPException(status_code=503, detail="database unreachable") from exc
    return {"status": "ready", "model": settings.model_name}
