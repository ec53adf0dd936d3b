RUN sudo apt-get update
