RUN pipx install black
