RUN pip install git+ssh://github.com/rtfd/read-ext.git#egg=read-ext
