import { defineConfig } from "vite";

// The API runs on :8000 in development; the page calls it on its own origin.
export default defineConfig({
  build: { outDir: "dist" },
  server: {
    port: 5173,
    proxy: {
      "/api": {
        target: "http://localhost:8000",
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/api/, ""),
      },
      "/live": { target: "ws://localhost:8000", ws: true },
    },
  },
});
