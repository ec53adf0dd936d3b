# No HEALTHCHECK in the runtime stage.
FROM golang:1.25.4-alpine3.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app/server .

# planted: G132 dockerfile-healthcheck
FROM alpine:3.22.2 AS runtime
COPY --from=build /app/server /app/server
USER 10001:10001
CMD ["/app/server"]
