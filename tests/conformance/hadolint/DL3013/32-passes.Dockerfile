RUN pip install --index-url https://eg.com/foo foobar==1.0.0
