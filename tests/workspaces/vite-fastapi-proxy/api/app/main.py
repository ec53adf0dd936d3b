from fastapi import FastAPI, WebSocket

app = FastAPI()

TASKS = [{"id": 1, "title": "Write the spec", "column": "done"}]


@app.get("/tasks")
def tasks() -> list[dict[str, object]]:
    return TASKS


@app.websocket("/live")
async def live(socket: WebSocket) -> None:
    await socket.accept()
    await socket.send_json({"tasks": len(TASKS)})
    await socket.close()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}
