# GopherMQ broker image: `docker build -t gophermq .` then `docker run -p 8082:8082 gophermq broker`.
# Settings: GOPHERMQ_ variables, or a config.yaml mounted at /app/config.yaml (read from the working directory).

# The current LTS; .ci/run also runs the tests on this exact version.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Compiles TypeScript with the dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The client package (an npm workspace) is in the lock file, and the command line is built on it.
COPY package.json package-lock.json ./
COPY client/package.json ./client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY client/tsconfig.json ./client/
COPY client/src ./client/src
COPY src ./src
RUN npm run build

# Production dependencies only, installed from the lock file.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY client/package.json ./client/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json marks dist/ as ES modules.
COPY --from=deps /src/package.json ./
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# node_modules/@gophermq/client links to ./client.
COPY --from=build /src/client/package.json ./client/
COPY --from=build /src/client/dist ./client/dist
RUN chmod 0755 dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/gophermq
USER node
# 8082: the HTTP API (broker.port); 9001: Prometheus metrics (monitoring.port).
EXPOSE 8082 9001
# Reads config.yaml and GOPHERMQ_ variables as `gophermq broker` does, so it asks the port really in use.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["gophermq", "health"]
ENTRYPOINT ["gophermq"]
CMD ["broker"]
