FROM scratch
RUN wget -O - https://some.site | wc -l > /number
