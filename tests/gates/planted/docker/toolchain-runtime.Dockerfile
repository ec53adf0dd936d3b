# Two stages, but the runtime stage installs dependencies itself.
FROM node:24.11-alpine3.22 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:24.11-alpine3.22 AS runtime
WORKDIR /app
COPY package.json package-lock.json ./
# planted: G130 dockerfile-multi-stage
RUN npm ci --omit=dev
COPY --from=build /app/dist ./dist
USER 10001:10001
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"]
CMD ["node", "dist/server.js"]
