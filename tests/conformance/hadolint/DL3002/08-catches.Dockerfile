FROM debian as base
USER root
RUN something
FROM scratch
USER foo
RUN something else
