RUN pip install .
