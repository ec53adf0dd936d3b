from fastapi import FastAPI

app = FastAPI(title="shop")

PRODUCTS = [{"id": 1, "name": "Teapot"}]


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/products")
def products() -> list[dict[str, object]]:
    return PRODUCTS
