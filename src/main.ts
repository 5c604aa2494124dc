import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './shared/database/embedded-postgres.js';
import { ReadinessRegistry } from './shared/health/readiness.registry.js';
import type { RuntimeConfig } from './runtime-config.js';
import { developmentTokenNotice } from './tenancy/index.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`Cannot start: ${error.message}`);
    throw error;
  }

  const pretty = process.stdout.isTTY === true;
  let embedded: EmbeddedPostgres | undefined;
  if (!config.database.url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir });
    process.stdout.write(
      `Embedded PostgreSQL: DATABASE_URL is not set, so the service runs on its own database in ${embedded.dataDir} ` +
        `(served at ${embedded.url}). Set DATABASE_URL to use a PostgreSQL server.\n`,
    );
  }
  const runtime: RuntimeConfig = {
    ...config,
    database: { ...config.database, url: config.database.url ?? embedded!.url },
  };

  const app = await createApp(runtime, { prettyLogs: pretty });
  const server: Server = await app.listen(runtime.http.port, '0.0.0.0');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : runtime.http.port;
  process.stdout.write(`AfterHourFix Numbers listens on http://localhost:${port} (API docs at /docs)\n`);
  process.stdout.write((await developmentTokenNotice(runtime.auth, `http://localhost:${port}`)) ?? '');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: finishing requests in flight, then stopping\n`);
    app.get(ReadinessRegistry).startDraining();
    const force = setTimeout(() => {
      process.stderr.write(`requests still running after ${runtime.http.shutdownGraceMs} ms; closing them\n`);
      server.closeAllConnections();
    }, runtime.http.shutdownGraceMs);
    force.unref();
    // Stop accepting and wait for requests in flight before anything they use (the database) closes.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
    await embedded?.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  fail(`Cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
