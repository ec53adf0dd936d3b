RUN apk add --no-cache flex=2.6.4-r1 \
 && pip install -r requirements.txt
