import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';

interface RegisteredRoute {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * Every route the application serves, read from Express' own router (what Nest and Swagger registered), not
 * from a list kept by hand: a route added tomorrow is walked too. Routes for every method at once (`all`,
 * middleware mounted with `forRoutes('*')`) are not endpoints and are left out.
 */
function registeredRoutes(t: TestApp): RegisteredRoute[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return express.router.stack.flatMap((layer) => {
    const methods = Object.keys(layer.route?.methods ?? {});
    if (!layer.route || methods.length !== 1 || layer.route.path.includes('*')) return [];
    return [{ method: methods[0]!, path: layer.route.path }];
  });
}

/** A concrete path for a route template: every `:param` becomes a well-formed UUID. */
const concrete = (template: string) => template.replace(/:\w+/g, '8f1b3c2a-6d4e-4f7a-9b0c-1d2e3f4a5b6c');

/** The same path spelled as a careless or hostile client might: the router takes them all. */
function spellings(path: string): string[] {
  const mixed = path.replace(/[a-z]/g, (c, i: number) => (i % 2 === 0 ? c.toUpperCase() : c));
  return [path, path.toUpperCase(), mixed, `${path}/`, `${mixed}/`];
}

const EXPECTED_PUBLIC = [
  // The console's page, its script and style (an allow-list), and what it offers before sign-in.
  'GET /console',
  'GET /console/:file',
  'GET /console/session',
  'GET /docs',
  'GET /docs-json',
  'GET /docs-yaml',
  'GET /docs/',
  'GET /docs/LICENSE',
  'GET /docs/docs/swagger-ui-init.js',
  'GET /docs/index.html',
  'GET /docs/swagger-ui-init.js',
  'GET /health/live',
  'GET /health/outbox',
  'GET /health/ready',
  'GET /metrics',
  'POST /api/vapi/webhook',
];

describe('authentication of every registered route', () => {
  let t: TestApp;
  let routes: RegisteredRoute[];
  const send = (method: string, path: string) =>
    request(t.app.getHttpServer())[method as 'get'](path).set('Content-Type', 'application/json');

  beforeAll(async () => {
    t = await createTestApp();
    routes = registeredRoutes(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds the API in the router (the walk is not empty)', () => {
    const keys = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /api/numbers',
        'POST /api/numbers',
        'GET /api/projects',
        'DELETE /api/projects/:projectId/agents/:agentId',
      ]),
    );
    expect(routes.length).toBeGreaterThan(20);
  });

  it('answers 401 problem details without a token on every route but the public ones, however spelled', async () => {
    const publicRoutes: string[] = [];
    const failures: string[] = [];
    for (const route of routes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const first = await send(route.method, concrete(route.path));
      if (first.status !== 401 || first.body.code !== 'AUTH.INVALID_TOKEN') {
        publicRoutes.push(key);
        continue;
      }
      for (const path of spellings(concrete(route.path))) {
        const res = await send(route.method, path);
        const ok =
          res.status === 401 &&
          res.body.code === 'AUTH.INVALID_TOKEN' &&
          /^application\/problem\+json/.test(res.headers['content-type'] ?? '');
        if (!ok) failures.push(`${route.method.toUpperCase()} ${path} → ${res.status} ${res.body?.code}`);
      }
    }
    expect(failures).toEqual([]);
    expect(publicRoutes.sort()).toEqual([...EXPECTED_PUBLIC].sort());
  });

  it('lets the public routes answer without a token, in any spelling of the path', async () => {
    for (const path of ['/health/live', '/HEALTH/LIVE', '/Health/Live/']) {
      await request(t.app.getHttpServer()).get(path).expect(200);
    }
    await request(t.app.getHttpServer()).get('/metrics').expect(200);
    const docs = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    expect(docs.body.paths['/api/numbers']).toBeDefined();
    const ui = await request(t.app.getHttpServer()).get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
    // The webhook is public to bearer auth but guarded by its own secret.
    const webhook = await send('post', '/API/Vapi/Webhook').send({ message: { type: 'status-update' } });
    expect([webhook.status, webhook.body.code]).toEqual([401, 'VAPI.INVALID_SECRET']);
  });

  it('answers an unknown route with 404 problem details in any spelling, never 500', async () => {
    for (const path of ['/api/nothing', '/API/NOTHING', '/Api/projects/x/y/z', '/nothing/', '/api']) {
      const res = await request(t.app.getHttpServer()).get(path);
      expect([path, res.status, res.body.code]).toEqual([path, 404, 'ROUTE.NOT_FOUND']);
    }
  });

  it('does not let a path spelling spend a provider call: GET /API/numbers needs a token', async () => {
    const before = await request(t.sandbox!.controlUrl).get('/requests').expect(200);
    const res = await request(t.app.getHttpServer()).get('/API/numbers?areaCode=205');
    expect(res.status).toBe(401);
    const after = await request(t.sandbox!.controlUrl).get('/requests').expect(200);
    expect(after.body.length).toBe(before.body.length);
  });
});
