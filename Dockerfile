# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies, then keep only the production ones.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY cards ./cards
RUN npm run build && npm prune --omit=dev

# Runtime: Node 22 plus the real tools the runbooks call (alembic, psycopg2, pg_dump/pg_restore/psql).
FROM node:22-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends alembic python3-psycopg2 postgresql-client tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 RUNBOOKS_DIR=/app/runbooks
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY runbooks ./runbooks
COPY examples ./examples
COPY src/sandbox/web/assets ./src/sandbox/web/assets
RUN mkdir -p /app/examples/lark-service/.run && chown -R node:node /app/examples/lark-service/.run
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "dist/src/cli/main.js"]
CMD ["server"]
