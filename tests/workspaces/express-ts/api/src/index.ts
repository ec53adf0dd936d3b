import { app } from "./app";

const token = process.env.API_TOKEN;
if (!token) {
  console.error("API_TOKEN is required");
  process.exit(1);
}

const port = Number(process.env.PORT) || 8080;
app.listen(port, "0.0.0.0", () => {
  console.log(`notes-api listening on ${port}`);
});
