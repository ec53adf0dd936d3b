import express, { Request, Response } from "express";

export interface Note {
  id: number;
  text: string;
}

const notes: Note[] = [];

export const app = express();
app.use(express.json());

app.get("/health", (_req: Request, res: Response) => {
  res.json({ status: "ok" });
});

app.get("/ready", (_req: Request, res: Response) => {
  res.json({ status: "ready", notes: notes.length });
});

app.get("/api/notes", (_req: Request, res: Response) => {
  res.json(notes);
});

app.post("/api/notes", (req: Request, res: Response) => {
  const text = typeof req.body?.text === "string" ? req.body.text : "";
  if (!text) {
    res.status(422).json({ error: "text is required" });
    return;
  }
  const note: Note = { id: notes.length + 1, text };
  notes.push(note);
  res.status(201).json(note);
});
