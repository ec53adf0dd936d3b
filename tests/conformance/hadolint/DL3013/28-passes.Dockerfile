RUN pip install 'alabaster<0.7'
