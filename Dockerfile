# syntax=docker/dockerfile:1
# Hookline's container image: `hookline serve` on SQLite in a volume, or on PostgreSQL (docs/guides/container.md).
#   docker build -t hookline .        (or: podman build -t hookline .)
# BASE is any Debian-based Node 20 image that keeps node, npm and Node's headers under /usr/local, as the official
# node images do; the test builds one from Debian packages (test/container/) and passes it here.
ARG BASE=docker.io/library/node:20-bookworm-slim

# --- build: every dependency, the native SQLite driver compiled, TypeScript built, then dev dependencies pruned ---
FROM ${BASE} AS build
# better-sqlite3 compiles from source wherever its prebuilt binary cannot be fetched: a compiler (through ccache, so
# a rebuild after a lockfile change does not compile SQLite again), and Node's headers from the image instead of a
# download from nodejs.org.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ccache \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    JOBS=max \
    CC="ccache gcc" \
    CXX="ccache g++" \
    CCACHE_DIR=/var/cache/ccache \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /src
# Manifests first, so a change to the sources does not invalidate the dependency layer.
COPY package.json package-lock.json ./
COPY packages/signatures/package.json packages/signatures/
COPY packages/receiver/package.json packages/receiver/
COPY packages/server/package.json packages/server/
# --ignore-scripts: the root `prepare` (tsc -b) needs the sources, copied below; the one native module is built
# explicitly instead.
RUN --mount=type=cache,target=/root/.npm --mount=type=cache,target=/var/cache/ccache \
  npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.base.json ./
COPY packages/signatures packages/signatures
COPY packages/receiver packages/receiver
COPY packages/server packages/server
RUN npx tsc -b packages/server \
  # bin/hookline.js runs dist/hookline.mjs, the CLI bundled into one file (esbuild: a dev dependency, so before the prune)
  && node packages/server/scripts/bundle.mjs \
  && npm prune --omit=dev --ignore-scripts \
  # What runs needs none of these: the compiler's objects and the SQLite sources beside the built driver, tests
  # and TypeScript sources. The receiver workspace stays: inbound sources verify with its pieces.
  && mv node_modules/better-sqlite3/build/Release/better_sqlite3.node /tmp/ \
  && rm -rf node_modules/better-sqlite3/build node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
  && mkdir -p node_modules/better-sqlite3/build/Release \
  && mv /tmp/better_sqlite3.node node_modules/better-sqlite3/build/Release/ \
  && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
  && find packages/server/src packages/signatures/src packages/receiver/src -name '*.ts' -delete \
  && rm -rf packages/server/test packages/signatures/test packages/receiver/test packages/*/tsconfig*

# --- runtime: Node, production dependencies, the built server; a non-root user; SQLite data in a volume ---
FROM ${BASE}
LABEL org.opencontainers.image.title="hookline" \
      org.opencontainers.image.description="Hookline: webhook delivery service (HTTP API, engine, dashboard, CLI)" \
      org.opencontainers.image.source="https://github.com/hookline/hookline" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 hookline \
  && useradd --system --uid 10001 --gid hookline --home-dir /var/lib/hookline --shell /usr/sbin/nologin hookline \
  && mkdir -p /var/lib/hookline \
  && chown hookline:hookline /var/lib/hookline
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/packages/signatures packages/signatures
COPY --from=build /src/packages/receiver packages/receiver
COPY --from=build /src/packages/server packages/server
RUN ln -s /app/packages/server/bin/hookline.js /usr/local/bin/hookline
# Every setting is an environment variable (docs/reference/configuration.md). In a container the service listens on
# every interface; the SQLite database lives in the volume. Set HOOKLINE_ADMIN_TOKEN (16+ characters), or read the
# generated one from the first start's log.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    HOOKLINE_DATABASE=/var/lib/hookline/hookline.db
USER hookline
VOLUME ["/var/lib/hookline"]
EXPOSE 8080
# Answers in every role (api, worker, all). No curl in a slim image: Node's fetch does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health/').then(r=>process.exit(r.status===204?0:1),()=>process.exit(1))"]
# `serve` by default; any other CLI command works too: `podman run --rm hookline migrate`.
ENTRYPOINT ["hookline"]
CMD ["serve"]
