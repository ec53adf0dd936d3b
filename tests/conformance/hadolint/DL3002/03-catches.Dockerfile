FROM scratch
USER 0
