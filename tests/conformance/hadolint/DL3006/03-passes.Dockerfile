FROM ruby@sha256:f1dbca0f5dbc9
