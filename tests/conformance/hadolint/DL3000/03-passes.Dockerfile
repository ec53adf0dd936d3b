WORKDIR ${work}
