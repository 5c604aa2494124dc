import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import { configureApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/index.js';
import type { RuntimeConfig } from '../../src/runtime-config.js';
import { startRuntime } from '../../src/runtime.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/shared/testing/test-database.js';

/**
 * The environment every test starts from: quiet, on no fixed port, no scheduled reconciliation (it would repair what
 * a test breaks on purpose); a test adds what it is about.
 */
export const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  PORT: '0',
  SANDBOX_PORT: '0',
  RECONCILE_INTERVAL_MINUTES: '0',
};

export function testConfig(databaseUrl: string, env: Record<string, string | undefined> = {}): RuntimeConfig {
  const config = loadConfig({ ...TEST_ENV, ...env });
  return { ...config, database: { ...config.database, url: databaseUrl } };
}

export interface TestApp {
  app: NestExpressApplication;
  config: RuntimeConfig;
  database: TestDatabase;
  /** The in-process Twilio and Vapi emulators (sandbox mode); reach `/__sandbox` at `sandbox.controlUrl`. */
  sandbox?: SandboxHandle;
  /**
   * Raw SQL as the tables' owner (the user of the test database's URL), which row-level security does not
   * restrict: for a test to look at or arrange rows behind the application's back. The application itself runs
   * as `numbers_app`.
   */
  ownerQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Providers to replace, e.g. a fake at the process edge: `{ provide: VoiceAgentPort, useValue: fake }`. */
  overrides?: (Provider & { provide: unknown })[];
  /** Extra modules, e.g. one that declares a test subscriber. */
  imports?: (Type | DynamicModule)[];
  /** Share another app's database (a second instance); it is then left for its owner to drop. */
  database?: TestDatabase;
  /** Providers added to the application, e.g. a query handler standing in for another module. */
  providers?: Provider[];
}

/** The whole application on a database of its own, initialised but not listening (supertest drives it). */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const runtime = await startRuntime(loadConfig({ ...TEST_ENV, ...options.env }), {
    databaseUrl: database.url,
  });
  const config = runtime.config;
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...(options.imports ?? [])],
    providers: options.providers ?? [],
  });
  for (const override of options.overrides ?? []) {
    const replaced = builder.overrideProvider(override.provide);
    if ('useValue' in override) replaced.useValue(override.useValue);
    else if ('useClass' in override) replaced.useClass(override.useClass);
    else if ('useFactory' in override)
      replaced.useFactory({ factory: override.useFactory, inject: override.inject });
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bufferLogs: true,
    bodyParser: false,
  });
  await configureApp(app, config);
  let owner: Promise<pg.Client> | undefined;
  return {
    app,
    config,
    database,
    sandbox: runtime.sandbox,
    async ownerQuery<T>(sql: string, params: unknown[] = []) {
      owner ??= (async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        return client;
      })();
      // In a transaction of its own: the embedded database is one backend behind its socket, and only a
      // transaction keeps another connection's statements from running between this one's protocol messages.
      const client = await owner;
      await client.query('begin');
      try {
        const { rows } = await client.query(sql, params);
        await client.query('commit');
        return rows as T[];
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    },
    async close() {
      await (await owner)?.end();
      await app.close();
      await runtime.stop();
      if (!options.database) await database.drop();
    },
  };
}
