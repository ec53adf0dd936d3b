FROM scratch
USER foo
