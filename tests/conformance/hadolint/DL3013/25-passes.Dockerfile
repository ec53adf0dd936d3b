RUN pip install foo/bar
