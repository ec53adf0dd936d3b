# A numeric user, but one that exists on most hosts.
FROM golang:1.25.4-alpine3.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app/server .

FROM alpine:3.22.2 AS runtime
COPY --from=build /app/server /app/server
# planted: G102 run-as-high-uid
USER 1000:1000
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
CMD ["/app/server"]
