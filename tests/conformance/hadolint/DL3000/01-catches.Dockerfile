WORKDIR relative/dir
