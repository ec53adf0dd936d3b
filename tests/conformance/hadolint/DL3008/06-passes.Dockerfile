RUN apt-get -y --no-install-recommends install nodejs=0.10
