const app = require("./app");

const secret = process.env.SESSION_SECRET;
if (!secret) {
  console.error("SESSION_SECRET is required");
  process.exit(1);
}

const port = Number(process.env.PORT || 4000);
app.listen(port, "0.0.0.0", () => console.log(`links-api listening on ${port}`));
