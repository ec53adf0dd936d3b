FROM debian as base
USER root
RUN something
FROM base
RUN something else
