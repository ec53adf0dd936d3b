# The runtime stage never leaves root.
FROM golang:1.25.4-alpine3.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app/server .

# planted: G131 dockerfile-non-root-user
FROM alpine:3.22.2 AS runtime
COPY --from=build /app/server /app/server
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
CMD ["/app/server"]
