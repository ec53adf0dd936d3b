# Its own .dockerignore (weak.Dockerfile.dockerignore) forgets .git, .env and key files.
FROM node:24.11-alpine3.22 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM node:24.11-alpine3.22 AS runtime
COPY --from=build /app/dist /app/dist
USER 10001:10001
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"]
CMD ["node", "/app/dist/server.js"]
