RUN pip3 install MySQL_python==1.2.2
