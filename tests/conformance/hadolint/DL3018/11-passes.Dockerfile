RUN apk add --no-cache \
--repository=https://nl.alpinelinux.org/alpine/edge/testing \
flow=0.78.0-r0
