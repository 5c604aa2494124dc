import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory.js';
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

/** The whole application on a database of its own, initialised but not listening (supertest drives it). */
export async function createTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, env);
  const app = await createApp(config);
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
