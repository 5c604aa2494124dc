import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config/index.js';
import { startEmbeddedPostgres } from './shared/database/embedded-postgres.js';
import { runMigrations } from './shared/database/migration-runner.js';

/**
 * `npm run migrate`: applies pending migrations as the tables' owner (MIGRATION_DATABASE_URL, else DATABASE_URL,
 * else the embedded database) and exits.
 */
async function migrate(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir });
  const url = config.database.migrationUrl ?? config.database.url ?? embedded!.url;
  try {
    const applied = await runMigrations(url);
    process.stdout.write(
      applied.length > 0
        ? `Applied: ${applied.join(', ')}\n`
        : 'The database is up to date; nothing to apply.\n',
    );
  } finally {
    await embedded?.stop();
  }
}

migrate().catch((error: unknown) => {
  process.stderr.write(
    `Migration failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
