RUN pipenv install black
