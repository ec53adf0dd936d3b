RUN apt-get install -y python=1.2.2
