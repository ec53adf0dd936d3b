# api: Go (net/http).
FROM golang:1.25.4-alpine3.22 AS build
# planted: G139 image-size-budget-recorded
# Image size budget: 50 MB (buried below the first instruction, where no script looks).
WORKDIR /src
COPY . .
RUN go build -o /app/server .

FROM alpine:3.22.2 AS runtime
COPY --from=build /app/server /app/server
USER 10001:10001
HEALTHCHECK CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
CMD ["/app/server"]
