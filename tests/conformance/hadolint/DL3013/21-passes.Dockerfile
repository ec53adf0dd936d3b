RUN pip install git+https://github.com/rtfd/r-ext.git@0.6-alpha#egg=r-ext
