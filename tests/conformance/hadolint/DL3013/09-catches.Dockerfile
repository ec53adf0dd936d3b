RUN pip install MySQL_python
