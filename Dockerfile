# syntax=docker/dockerfile:1
# triggerhub: multi-stage image. Build: `docker build -t triggerhub .`
# Run:   docker run -v "$PWD/triggerhub.yaml:/config/triggerhub.yaml:ro" -p 9000:9000 triggerhub
# (the config needs `redis:` and `server.host: 0.0.0.0`; the image has no redis-server).
# Debian (glibc), not Alpine: sharp (examples/thumbnail) installs its prebuilt linux-x64/arm64 glibc
# binaries from npm; on musl it would need the linuxmusl ones.
ARG NODE_IMAGE=node:20.19.2-bookworm-slim

# ---- build: all dependencies (devDependencies too), compile TypeScript to dist/ -------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
COPY console ./console
COPY scripts/build-console.ts ./scripts/
RUN npm run build

# ---- runtime: production dependencies only (tsx is one: it loads .ts handlers) ---------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY examples ./examples
# Read from src/ at run time (tsc does not compile them): the Python bootstrap, ESM imports from layers
COPY src/runtime/python ./src/runtime/python
COPY src/runtime/child/layer-register.mjs src/runtime/child/layer-resolve.mjs ./src/runtime/child/
RUN mkdir -p /config /var/lib/triggerhub && chown node:node /var/lib/triggerhub
ENV TRIGGERHUB_DATA_DIR=/var/lib/triggerhub
# the official image's unprivileged user (uid 1000)
USER node
EXPOSE 9000
ENTRYPOINT ["node", "bin/triggerhub.js", "--config", "/config/triggerhub.yaml"]
CMD ["up"]
