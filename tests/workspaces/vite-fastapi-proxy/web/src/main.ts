const list = document.querySelector("#tasks")!;

async function load(): Promise<void> {
  const res = await fetch("/api/tasks");
  const tasks: { id: number; title: string }[] = await res.json();
  list.innerHTML = tasks.map((t) => `<li>${t.title}</li>`).join("");
}

const live = new WebSocket(`${location.origin.replace(/^http/, "ws")}/live`);
live.onmessage = () => void load();
void load();
