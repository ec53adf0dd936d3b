RUN pip3 install mypkg.tar.gz
