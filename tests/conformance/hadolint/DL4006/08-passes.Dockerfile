FROM scratch as build
SHELL ["/usr/local/bin/zsh", "-o", "pipefail", "-c"]
RUN wget -O - https://some.site | wc -l file > /number
