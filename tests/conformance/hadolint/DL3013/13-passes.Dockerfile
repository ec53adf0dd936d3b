RUN pip install --ignore-installed MySQL_python==1.2.2
