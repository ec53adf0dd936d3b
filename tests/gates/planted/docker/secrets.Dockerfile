# Secrets baked into the image's metadata.
FROM node:24.11-alpine3.22 AS build
# planted: G126 no-secret-env-literals
ARG NPM_TOKEN
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM node:24.11-alpine3.22 AS runtime
# planted: G126 no-secret-env-literals
ENV NODE_ENV=production API_KEY=sk-live-0123456789abcdef
COPY --from=build /app/dist /app/dist
USER 10001:10001
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"]
CMD ["node", "/app/dist/server.js"]
