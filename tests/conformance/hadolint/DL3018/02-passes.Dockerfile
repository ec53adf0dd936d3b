RUN apk add flex=2.6.4-r1
