"use client";

import { useEffect, useState } from "react";

export default function Page() {
  const [recipes, setRecipes] = useState([]);
  useEffect(() => {
    fetch(`${process.env.NEXT_PUBLIC_API_URL}/api/recipes`)
      .then((r) => r.json())
      .then(setRecipes)
      .catch(() => setRecipes([]));
  }, []);
  return (
    <main>
      <h1>{process.env.NEXT_PUBLIC_SITE_NAME}</h1>
      <ul>{recipes.map((r) => <li key={r.id}>{r.title}</li>)}</ul>
    </main>
  );
}
