export default function Page() {
  return (
    <main>
      <h1>Shop</h1>
      <p>Products are listed from the API.</p>
    </main>
  );
}
