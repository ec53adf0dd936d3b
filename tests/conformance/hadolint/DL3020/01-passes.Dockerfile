ADD file.tar /usr/src/app/
