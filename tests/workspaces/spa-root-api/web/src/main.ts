// The API's address; in development the page calls the API on its own port.
const API_URL = import.meta.env.VITE_API_URL ?? "http://localhost:8000";

const list = document.querySelector("#tasks")!;

async function load(): Promise<void> {
  const res = await fetch(`${API_URL}/tasks`);
  const tasks: { id: number; title: string }[] = await res.json();
  list.innerHTML = tasks.map((t) => `<li>${t.title}</li>`).join("");
}

void load();
