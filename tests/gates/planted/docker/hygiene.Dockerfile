# Hygiene problems hadolint and checkov know, one per instruction, each a gate of its own.
FROM debian:12.8-slim AS build
# planted: G144 dockerfile-absolute-workdir
WORKDIR app
# planted: G143 dockerfile-copy-not-add
ADD app.py /app/
# planted: G145 dockerfile-pipefail
RUN curl -fsSL https://example.com/install.sh | sh
# planted: G146 dockerfile-pinned-packages
RUN apt-get update && apt-get install -y --no-install-recommends curl
# planted: G147 dockerfile-no-sudo
RUN sudo chown -R 10001:10001 /app
# planted: G148 dockerfile-tls-verification
RUN curl -k -o /tmp/tool.tgz https://example.com/tool.tgz

FROM debian:12.8-slim AS runtime
COPY --from=build /app /app
USER 10001:10001
HEALTHCHECK CMD ["/app/app.py", "--check"]
# planted: G142 dockerfile-exec-form
CMD python3 /app/app.py
