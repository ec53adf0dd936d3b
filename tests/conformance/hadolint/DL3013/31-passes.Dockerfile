RUN pip install MySQL_python==1.2.2 --disable-pip-version-check
