# Hygiene problems hadolint and checkov know, one per instruction.
FROM debian:12.8-slim AS build
# planted: G133 dockerfile-hygiene
WORKDIR app
# planted: G133 dockerfile-hygiene
ADD app.py /app/
# planted: G133 dockerfile-hygiene
RUN curl -fsSL https://example.com/install.sh | sh
# planted: G133 dockerfile-hygiene
RUN apt-get update && apt-get install -y --no-install-recommends curl
# planted: G133 dockerfile-hygiene
RUN sudo chown -R 10001:10001 /app
# planted: G133 dockerfile-hygiene
RUN curl -k -o /tmp/tool.tgz https://example.com/tool.tgz

FROM debian:12.8-slim AS runtime
COPY --from=build /app /app
USER 10001:10001
HEALTHCHECK CMD ["/app/app.py", "--check"]
# planted: G133 dockerfile-hygiene
CMD python3 /app/app.py
