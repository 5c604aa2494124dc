import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { PhoneNumber } from '../src/numbers/phone-number.entity.js';
import { storedNumber, tenantIdOf } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

/** A number bought, registered and live (the aggregate's own transitions, no provider). */
function live(n: PhoneNumber, i: number): void {
  n.startAttempt('purchase');
  n.purchased({ e164: `+1205555${String(1000 + i)}`, twilioSid: `PN${String(i).padStart(32, '0')}` });
  n.begin('register');
  n.startAttempt('register');
  n.registeredWithVapi(`vapi-${i}`);
  n.begin('activate');
  n.startAttempt('activate');
  n.activated(115);
}

interface Listed {
  id: string;
}

describe('lists are paginated: keyset cursor and limit', () => {
  let t: TestApp;
  let auth: string;
  let projectIds: string[];
  let agentIds: string[];
  const get = (path: string) => request(t.app.getHttpServer()).get(path).set('Authorization', auth);

  /** Every item of a list, page by page, and the sizes of its pages. */
  async function walk(path: string, limit: number): Promise<{ ids: string[]; sizes: number[] }> {
    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(`${path}?${query}`).expect(200);
      ids.push(...res.body.items.map((i: Listed) => i.id));
      sizes.push(res.body.items.length);
      cursor = res.body.nextCursor;
    } while (cursor !== null && sizes.length < 20);
    return { ids, sizes };
  }

  beforeAll(async () => {
    // No relay: the numbers below are stored in the states their steps left, and stay in them.
    t = await createTestApp({
      env: { TENANT_AGENT_CREATIONS_PER_MINUTE: '100', OUTBOX_RELAY_ENABLED: 'false' },
    });
    auth = await bearer(t.config, 'pager');
    projectIds = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(t.app.getHttpServer())
        .post('/api/projects')
        .set('Authorization', auth)
        .send({ name: `Project ${i}` })
        .expect(201);
      projectIds.push(res.body.id);
    }
    agentIds = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app.getHttpServer())
        .post(`/api/projects/${projectIds[0]}/agents`)
        .set('Authorization', auth)
        .send({ name: `Agent ${i}`, vapiAssistantId: t.sandbox!.assistantIds[0] })
        .expect(201);
      agentIds.push(res.body.id);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a first page by default, with nextCursor null when everything fits', async () => {
    const res = await get('/api/projects').expect(200);
    expect(res.body.items.map((p: Listed) => p.id)).toEqual(projectIds);
    expect(res.body.nextCursor).toBeNull();
    const agents = await get(`/api/projects/${projectIds[0]}/agents`).expect(200);
    expect(agents.body).toEqual({ items: expect.any(Array), nextCursor: null });
    const numbers = await get(`/api/projects/${projectIds[0]}/numbers`).expect(200);
    expect(numbers.body).toEqual({ items: [], nextCursor: null });
  });

  it('walks projects page by page, oldest first, each once', async () => {
    const { ids, sizes } = await walk('/api/projects', 3);
    expect(ids).toEqual(projectIds);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('walks agents page by page, oldest first, each once', async () => {
    const { ids, sizes } = await walk(`/api/projects/${projectIds[0]}/agents`, 2);
    expect(ids).toEqual(agentIds);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('shows no other tenant\u2019s rows through a cursor', async () => {
    const first = await get('/api/projects?limit=1').expect(200);
    const other = await bearer(t.config, 'another-pager');
    const res = await request(t.app.getHttpServer())
      .get(`/api/projects?cursor=${first.body.nextCursor}`)
      .set('Authorization', other)
      .expect(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it("lists a project's numbers in every state as GET /api/numbers/:id answers each, newest first, page by page", async () => {
    const projectId = projectIds[1]!;
    const owner = { tenantId: await tenantIdOf(t, projectId), projectId, agentId: agentIds[0]! };
    const providerError = {
      code: 'TELEPHONY.PROVIDER_ERROR',
      message: 'Twilio: 500',
      details: { status: 500 },
    };
    const stored = [
      await storedNumber(t, owner),
      await storedNumber(t, owner, (n) => {
        n.startAttempt('purchase');
        n.attemptFailed('purchase', providerError, true);
      }),
      await storedNumber(t, owner, (n) => live(n, 1)),
      await storedNumber(t, owner, (n) => {
        live(n, 2);
        n.requestChange({ agentId: agentIds[1]!, fallbackChanged: true });
      }),
      await storedNumber(t, owner, (n) => {
        live(n, 3);
        n.requestRelease(3_600_000);
        n.startAttempt('detach');
        n.detached();
      }),
      await storedNumber(t, owner, (n) => {
        live(n, 4);
        n.requestRelease(0);
        n.startAttempt('detach');
        n.failStep('detach', { ...providerError, code: 'VOICE_AGENT.PROVIDER_ERROR' });
      }),
    ];
    const refused = await storedNumber(t, owner, (n) => {
      n.startAttempt('purchase');
      n.refused(
        { kind: 'none-available', areaCode: '205', suggestions: [] },
        { code: 'NUMBERS.NONE_AVAILABLE', message: 'none' },
      );
    });
    // A time the database holds to the microsecond is answered to the millisecond, as an entity's Date has it.
    await t.ownerQuery(
      `update phone_number set created_at = created_at + interval '456 microseconds' where id = $1`,
      [stored[2]!.id],
    );

    const one = await Promise.all(
      stored.map(async (n) => (await get(`/api/numbers/${n.id}`).expect(200)).body),
    );
    const newestFirst = [...one].sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
    );
    expect(new Set(one.map((n) => n.status))).toEqual(
      new Set(['purchasing', 'active', 'released', 'releasing']),
    );
    expect(one.find((n) => n.id === stored[4]!.id).restorableUntil).toEqual(expect.any(String));
    expect(one.find((n) => n.id === stored[3]!.id).pendingChange).toMatchObject({ agentId: agentIds[1] });

    const whole = await get(`/api/projects/${projectId}/numbers?limit=100`).expect(200);
    expect(whole.body).toEqual({ items: newestFirst, nextCursor: null });
    expect(whole.body.items.map((n: Listed) => n.id)).not.toContain(refused.id);
    const { ids, sizes } = await walk(`/api/projects/${projectId}/numbers`, 4);
    expect(ids).toEqual(newestFirst.map((n) => n.id));
    expect(sizes).toEqual([4, 2]);
  });

  it('answers 404 for a project of another tenant or none, whatever the cursor, and an empty page past the end', async () => {
    const cursor = Buffer.from(JSON.stringify(['2020-01-01T00:00:00.000Z', randomUUID()])).toString(
      'base64url',
    );
    const other = await bearer(t.config, 'another-pager');
    for (const query of ['', `?cursor=${cursor}`, '?cursor=not-a-cursor']) {
      const res = await request(t.app.getHttpServer())
        .get(`/api/projects/${projectIds[1]}/numbers${query}`)
        .set('Authorization', other)
        .expect(404);
      expect(res.body.code).toBe('PROJECTS.NOT_FOUND');
      const none = await get(`/api/projects/${randomUUID()}/numbers${query}`).expect(404);
      expect(none.body.code).toBe('PROJECTS.NOT_FOUND');
    }
    const past = await get(`/api/projects/${projectIds[1]}/numbers?cursor=${cursor}`).expect(200);
    expect(past.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    ['cursor=%3Cscript%3E', 'cursor'],
    [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'cursor'],
    ['offset=10', 'offset'],
  ])('refuses ?%s with 400 VALIDATION.FAILED naming %s', async (query, field) => {
    for (const path of [
      '/api/projects',
      `/api/projects/${projectIds[0]}/agents`,
      `/api/projects/${projectIds[0]}/numbers`,
    ]) {
      const res = await get(`${path}?${query}`).expect(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});
