WORKDIR "/usr/local"
