RUN pip3 install --trusted-host host example==1.2.2
