RUN pip3 install --prefix /opt/yamllint yamllint==1.20.0
