WORKDIR 'relative/dir'
