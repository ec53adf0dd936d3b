const express = require("express");

const app = express();
app.use(express.json());

const links = new Map();

app.get("/healthz", (_req, res) => res.json({ status: "alive" }));
app.get("/readyz", (_req, res) => res.json({ status: "ready" }));

app.get("/api/links", (_req, res) => res.json([...links.entries()].map(([code, url]) => ({ code, url }))));
app.post("/api/links", (req, res) => {
  const code = Math.random().toString(36).slice(2, 8);
  links.set(code, req.body.url);
  res.status(201).json({ code });
});

module.exports = app;
