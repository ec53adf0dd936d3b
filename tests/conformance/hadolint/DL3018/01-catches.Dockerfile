RUN apk add flex
