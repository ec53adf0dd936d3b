WORKDIR '/usr/local'
