ADD file.xz /usr/src/app/
