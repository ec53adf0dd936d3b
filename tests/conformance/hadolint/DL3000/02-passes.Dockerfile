WORKDIR /usr/local
