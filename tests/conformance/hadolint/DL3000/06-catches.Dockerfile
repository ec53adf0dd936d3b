WORKDIR "relative/dir"
