RUN apt-get update \
 && apt-get -yqq --no-install-recommends install nodejs=0.10 \
 && rm -rf /var/lib/apt/lists/*
