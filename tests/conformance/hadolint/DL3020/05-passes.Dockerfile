ADD file.tgz /usr/src/app/
