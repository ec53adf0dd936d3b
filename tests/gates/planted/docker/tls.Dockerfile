# TLS verification and package signatures turned off, the ways checkov's CKV2_DOCKER checks
# know them. Installing packages named strict-ssl and false turns nothing off.
FROM node:24.11-alpine3.22 AS build
WORKDIR /app
COPY package.json package-lock.json ./
# planted: G148 dockerfile-tls-verification
RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci
# planted: G148 dockerfile-tls-verification
RUN export PYTHONHTTPSVERIFY=0 && python3 /app/fetch.py
# planted: G148 dockerfile-tls-verification
RUN GIT_SSL_NO_VERIFY=true git clone https://example.com/repo.git /app/repo
# planted: G148 dockerfile-tls-verification
RUN NPM_CONFIG_STRICT_SSL=false npm ci
# planted: G148 dockerfile-tls-verification
RUN npm config set strict-ssl false
# planted: G148 dockerfile-tls-verification
RUN git config --global http.sslVerify false
RUN npm install strict-ssl false
COPY . .

FROM registry.access.redhat.com/ubi9/ubi-minimal:9.6 AS tools
# planted: G149 dockerfile-package-signatures
RUN microdnf install -y --nogpgcheck shadow-utils-4.9
# planted: G149 dockerfile-package-signatures
RUN rpm -i --nodigest /tmp/tool-1.0.rpm
# planted: G148 dockerfile-tls-verification
RUN microdnf install -y --setopt=sslverify=false tar-1.34

FROM node:24.11-alpine3.22 AS runtime
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/server.js ./server.js
USER 10001:10001
HEALTHCHECK CMD ["node", "server.js", "--check"]
CMD ["node", "server.js"]
