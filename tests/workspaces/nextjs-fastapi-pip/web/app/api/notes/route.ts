const API_URL = process.env.API_URL ?? "http://localhost:8000";

export async function GET() {
  const res = await fetch(`${API_URL}/api/notes`, { cache: "no-store" });
  return Response.json(await res.json(), { status: res.status });
}

export async function POST(request: Request) {
  const res = await fetch(`${API_URL}/api/notes`, { method: "POST", body: await request.text(), headers: { "content-type": "application/json" } });
  return Response.json(await res.json(), { status: res.status });
}
