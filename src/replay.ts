import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { exitOnFailure } from './command-failure.js';
import { ConfigError, loadConfig } from './config/index.js';
import type { RuntimeConfig } from './runtime-config.js';
import { ProjectionReplay, UnknownProjectionError } from './shared/consumers/projection-replay.js';
import { startEmbeddedPostgres } from './shared/database/embedded-postgres.js';

/**
 * `npm run replay -- <consumer>...` (e.g. `billing`, `analytics`): rebuilds each consumer's tables from the event
 * log, tenant by tenant, and exits. It connects with DATABASE_URL (or opens the embedded database, which only one
 * process can hold: stop the service first); with a server the service may keep running meanwhile. This process
 * delivers nothing (its outbox relay is off) and calls no provider.
 */
class ReplayUsageError extends Error {}

async function replay(names: string[]): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir });
  const runtime: RuntimeConfig = {
    ...config,
    database: { ...config.database, url: config.database.url ?? embedded!.url },
    outbox: { ...config.outbox, relayEnabled: false },
  };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime), { logger: false });
  try {
    const replayer = app.get(ProjectionReplay);
    if (names.length === 0) {
      throw new ReplayUsageError(
        `Usage: npm run replay -- <consumer>... (known: ${replayer.names().join(', ')})`,
      );
    }
    for (const name of names) replayer.projection(name);
    for (const name of names) {
      const started = Date.now();
      const result = await replayer.replay(name);
      process.stdout.write(
        `Replayed ${result.consumer}: ${result.events} event(s) of ${result.tenants} tenant(s) in ` +
          `${Date.now() - started} ms; the log holds events since ${result.logSince?.toISOString() ?? '(empty)'}\n`,
      );
    }
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

replay(process.argv.slice(2)).catch(
  exitOnFailure('Replay', [ConfigError, UnknownProjectionError, ReplayUsageError]),
);
