RUN pip3 install MySQL_python
