# Bases that move under the build.
# planted: G118 image-tag-pinned
FROM node:latest AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

# planted: G118 image-tag-pinned
FROM nginxinc/nginx-unprivileged AS runtime
COPY --from=build /app/dist /usr/share/nginx/html
USER 10001:10001
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
CMD ["nginx", "-g", "daemon off;"]
