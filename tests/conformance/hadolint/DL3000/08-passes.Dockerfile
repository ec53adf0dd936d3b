WORKDIR "${dir}"
