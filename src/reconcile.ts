import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { exitOnFailure } from './command-failure.js';
import { ConfigError, loadConfig } from './config/index.js';
import { formatReport, NumberReconciliation } from './numbers/index.js';
import { startRuntime } from './runtime.js';

/**
 * `npm run reconcile [-- --dry-run] [--json]`: one reconciliation of Twilio, Vapi and the database (see
 * `NumberReconciliation`), against the configured providers and database, then exits 0 with the report printed
 * (`--json`: as JSON). `--dry-run` changes nothing and prints what it would do. With a PostgreSQL server the
 * service may keep running (the lease keeps this run and a scheduled one apart); the embedded database and the
 * in-process sandbox are held by one process at a time: stop the service first. This process delivers no events
 * (its relay is off): the service's relay delivers those its repairs record.
 */
class ReconcileUsageError extends Error {}

const FLAGS = new Set(['--dry-run', '--json']);

async function reconcile(args: string[]): Promise<void> {
  const unknown = args.filter((arg) => !FLAGS.has(arg));
  if (unknown.length > 0)
    throw new ReconcileUsageError(
      `Usage: npm run reconcile [-- --dry-run] [--json] (unknown: ${unknown.join(' ')})`,
    );
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const runtime = await startRuntime(config, { persistentSandbox: true });
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ ...runtime.config, outbox: { ...runtime.config.outbox, relayEnabled: false } }),
      { logger: false },
    );
    try {
      await runtime.openSandboxState();
      const report = await app.get(NumberReconciliation).run({ dryRun: args.includes('--dry-run') });
      process.stdout.write(
        args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
      );
    } finally {
      await app.close();
    }
  } finally {
    await runtime.stop();
  }
}

reconcile(process.argv.slice(2)).catch(exitOnFailure('Reconciliation', [ConfigError, ReconcileUsageError]));
