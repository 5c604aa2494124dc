import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../src/app.factory.js';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { eventually } from './support/eventually.js';
import { createTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { testConfig } from './support/test-app.js';

describe('readiness while the database goes away and comes back', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: NestExpressApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await createTcpProxy(database.url);
    app = await createApp(testConfig(proxy.url));
  });
  afterAll(async () => {
    await proxy.restore().catch(() => undefined);
    await app.close();
    await proxy.close();
    await database.drop();
  });

  it('answers 503 with the failing check while the database is unreachable, and 200 again by itself', async () => {
    await request(app.getHttpServer()).get('/health/ready').expect(200);

    await proxy.cut();
    await eventually(async () => {
      const res = await request(app.getHttpServer()).get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('HEALTH.NOT_READY');
      expect(res.body.checks.database.status).toBe('down');
    });
    // Liveness does not depend on the database: the process is fine, an orchestrator must not restart it.
    await request(app.getHttpServer()).get('/health/live').expect(200);
    // The outbox report cannot be made, and says so; the metrics still serve, the backlog's without a value.
    const report = await request(app.getHttpServer()).get('/health/outbox').expect(503);
    expect(report.body.code).toBe('HEALTH.OUTBOX_UNREADABLE');
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(metrics.text).toMatch(/^outbox_oldest_pending_age_seconds nan$/im); // prom-client writes "Nan";
    expect(metrics.text).not.toMatch(/^outbox_backlog\{/m);

    await proxy.restore();
    await eventually(async () => {
      await request(app.getHttpServer()).get('/health/ready').expect(200);
    });
  });
});
