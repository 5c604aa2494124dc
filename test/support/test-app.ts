import { Global, Module, type Provider } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { configureApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/index.js';
import type { RuntimeConfig } from '../../src/runtime-config.js';
import { createTestDatabase, type TestDatabase } from '../../src/shared/testing/test-database.js';

/** The environment every test starts from: quiet, on no fixed port; a test adds what it is about. */
export const TEST_ENV: Record<string, string> = { LOG_LEVEL: 'silent', PORT: '0' };

export function testConfig(databaseUrl: string, env: Record<string, string | undefined> = {}): RuntimeConfig {
  const config = loadConfig({ ...TEST_ENV, ...env });
  return { ...config, database: { ...config.database, url: databaseUrl } };
}

export interface TestApp {
  app: NestExpressApplication;
  config: RuntimeConfig;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Providers to replace, e.g. a fake at the process edge: `{ provide: VoiceAgentPort, useValue: fake }`. */
  overrides?: (Provider & { provide: unknown })[];
  /**
   * Providers added to the application, e.g. a query handler standing in for a module that is not built yet.
   */
  providers?: Provider[];
}

/**
 * Overrides are also provided globally, so that a port whose adapter is not wired yet (no provider to replace)
 * still resolves to the fake; where a module provides the token itself, `overrideProvider` replaces it there.
 */
function edgeModule(overrides: (Provider & { provide: unknown })[]) {
  @Global()
  @Module({ providers: overrides, exports: overrides.map((o) => o.provide as string) })
  class TestEdgeModule {}
  return TestEdgeModule;
}

/** The whole application on a database of its own, initialised but not listening (supertest drives it). */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, options.env);
  const overrides = options.overrides ?? [];
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config), edgeModule(overrides)],
    providers: options.providers ?? [],
  });
  for (const override of overrides) {
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
  return {
    app,
    config,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
