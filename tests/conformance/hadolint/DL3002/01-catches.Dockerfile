FROM scratch
USER root
