# The onboarding worker, for production: compiled JavaScript, the workflow bundle prebuilt at image
# build time, production dependencies only, a non-root user, ONBOARDING_MODE=production (the worker
# refuses to start until every production setting is given; see docs/production.md).
#
#   docker build -t workspace-onboarding .
#   docker run --env-file production.env -v /secrets:/secrets:ro -p 9464:9464 workspace-onboarding
#
# The same image runs the codec server and the CLI:
#   docker run ... workspace-onboarding node dist/encryption/codec-server-main.js
#   docker run ... workspace-onboarding node dist/client/cli.js status example.com
# Debian (glibc), not Alpine: Temporal's native core ships glibc binaries.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# ── build: TypeScript → dist/, then the workflow bundles (dist/workflow-bundle*.js)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY client ./client
COPY encryption ./encryption
COPY order ./order
COPY config ./config
COPY scripts/build-workflow-bundles.ts ./scripts/build-workflow-bundles.ts
RUN npm run build

# ── production dependencies only (no tsx, no emulator or test libraries)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ── runtime
FROM ${NODE_IMAGE} AS runtime
# NODE_OPTIONS caps each V8 heap, MALLOC_ARENA_MAX bounds glibc's arenas (worker/config.ts
# WORKER_NODE_OPTIONS, WORKER_MALLOC_ARENA_MAX; measured by bench/parked-memory.ts).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=16" \
    MALLOC_ARENA_MAX=2 \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache \
    ONBOARDING_MODE=production \
    METRICS_BIND_ADDRESS=0.0.0.0:9464
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The image's own non-root user `node` (uid/gid 1000), by number so that runtimes can check it is not root.
USER 1000:1000
EXPOSE 9464
# SIGTERM drains the worker (Temporal's runtime stops polling, running activities finish within 20 s,
# the worker ends itself by 25 s). Give it 30 s before SIGKILL: Docker's default is only 10 s, so run
# it with `docker run --stop-timeout 30` (compose `stop_grace_period: 30s`; Kubernetes' default
# terminationGracePeriodSeconds is 30). worker/create-worker.ts, docs/operations.md "Shutdown".
STOPSIGNAL SIGTERM
CMD ["node", "dist/worker/main.js"]
