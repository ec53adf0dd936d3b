export const dynamic = "force-dynamic";

export default async function Page() {
  const res = await fetch(`${process.env.API_URL}/api/posts`, { cache: "no-store" });
  const posts = res.ok ? await res.json() : [];
  return (
    <main>
      <h1>Board</h1>
      <ul>{posts.map((p) => <li key={p.id}>{p.text}</li>)}</ul>
    </main>
  );
}
