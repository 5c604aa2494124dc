import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import { readEventStream, type StreamedEvent } from './support/event-stream.js';
import {
  FAST_PROVISIONING_ENV,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

type Step = { step: string; change: string; attempt: number; error: { code: string } | null };

/** A readable line per event: `state purchasing`, `step register attempt-failed VOICE_AGENT.PROVIDER_ERROR`, ... */
function line(e: StreamedEvent): string {
  const data = e.data as Step & { number: PhoneNumberResponse; status?: string };
  if (e.event === 'step') return `step ${data.step} ${data.change}${data.error ? ` ${data.error.code}` : ''}`;
  if (e.event === 'status') return `status ${data.status}`;
  return `${e.event} ${data.number.status}`;
}

describe('GET /api/numbers/:id/events (Server-Sent Events)', () => {
  let t: TestApp;
  let base: string;
  let p: TenantProject;
  const control = () => sandboxControl(t.sandbox!);

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    p = await tenantWithProject(t, 'events-tenant');
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    await control().clearFaults();
    await control().traffic({ twilio: { latencyMs: 0 }, vapi: { latencyMs: 0 } });
  });

  /** Starts a purchase without waiting for it (Prefer: respond-async); answers the number's id. */
  async function startPurchase(auth = p.auth): Promise<string> {
    const res = await request(t.app.getHttpServer())
      .post('/api/numbers')
      .set('Authorization', auth)
      .set('Prefer', 'respond-async')
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(202);
    expect(res.headers['preference-applied']).toBe('respond-async');
    expect(res.body.phoneNumber.status).toBe('purchasing');
    return res.body.phoneNumber.id as string;
  }

  it('streams the number now, each step as it commits (a Vapi failure and its retry), and ends at active', async () => {
    // Each provider call takes a while, so that every state is there to be read; Vapi's first registration fails.
    await control().traffic({ twilio: { latencyMs: 300 }, vapi: { latencyMs: 300 } });
    await control().fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 503, times: 1 });
    const id = await startPurchase();
    const res = await fetch(`${base}/api/numbers/${id}/events`, { headers: { Authorization: p.auth } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEventStream(res);
    const lines = events.map(line);

    expect(lines[0]).toMatch(/^state (purchasing|registering)$/);
    const expected = [
      'status registering',
      'step register started',
      'step register attempt-failed VOICE_AGENT.PROVIDER_ERROR',
      'step register started',
      'step register succeeded',
      'status activating',
      'step activate started',
      'step activate succeeded',
      'status active',
    ];
    // In this order, with nothing else between them about the register and activate steps.
    expect(lines.filter((l) => /register|activ/.test(l))).toEqual(expected);
    expect(lines).toContain('step purchase succeeded');
    expect(lines.at(-1)).toBe('status active');
    const last = events.at(-1)!.data as { number: PhoneNumberResponse };
    expect(last.number).toMatchObject({ id, status: 'active', steps: { register: { attempts: 2 } } });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
  });

  it('ends at once for a number already active, and answers a reconnecting EventSource 204', async () => {
    const id = await startPurchase();
    await waitForNumber(t, p.auth, id, (n) => n.status === 'active');
    const res = await fetch(`${base}/api/numbers/${id}/events`, { headers: { Authorization: p.auth } });
    expect((await readEventStream(res)).map(line)).toEqual(['state active']);
    const again = await fetch(`${base}/api/numbers/${id}/events`, {
      headers: { Authorization: p.auth, 'Last-Event-ID': '1' },
    });
    expect(again.status).toBe(204);
  });

  it('ends with the failure when a step runs out of attempts', async () => {
    await control().fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 400 });
    const id = await startPurchase();
    const lines = (
      await readEventStream(
        await fetch(`${base}/api/numbers/${id}/events`, { headers: { Authorization: p.auth } }),
      )
    ).map(line);
    expect(lines.slice(-2)).toEqual(['step register failed VOICE_AGENT.REQUEST_REJECTED', 'status failed']);
  });

  it('takes the token from the numbers_token cookie on this route only, and never without one', async () => {
    const id = await startPurchase();
    await waitForNumber(t, p.auth, id, (n) => n.status === 'active');
    const token = p.auth.replace(/^Bearer /, '');
    const withCookie = await fetch(`${base}/api/numbers/${id}/events`, {
      headers: { Cookie: `other=1; numbers_token=${token}` },
    });
    expect((await readEventStream(withCookie)).map(line)).toEqual(['state active']);

    const none = await fetch(`${base}/api/numbers/${id}/events`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe('AUTH.INVALID_TOKEN');
    const forged = await fetch(`${base}/api/numbers/${id}/events`, {
      headers: { Cookie: 'numbers_token=abc.def.ghi' },
    });
    expect(forged.status).toBe(401);
    // Any other route wants the header: the cookie alone is no credential there.
    const elsewhere = await fetch(`${base}/api/numbers/${id}`, {
      headers: { Cookie: `numbers_token=${token}` },
    });
    expect(elsewhere.status).toBe(401);
  });

  // Two instances on one PostgreSQL server: the stream on one, the relay on the other, woken by NOTIFY. (The
  // embedded database does not pass notifications between connections; one process owns it.)
  (process.env.DATABASE_URL ? it : it.skip)(
    'follows a number provisioned by another instance, woken by its commits',
    async () => {
      const other = await createTestApp({
        env: { ...FAST_PROVISIONING_ENV, OUTBOX_RELAY_ENABLED: 'false' },
        database: t.database,
      });
      try {
        await other.app.listen(0, '127.0.0.1');
        const otherBase = `http://127.0.0.1:${(other.app.getHttpServer().address() as AddressInfo).port}`;
        await control().traffic({ twilio: { latencyMs: 200 }, vapi: { latencyMs: 200 } });
        const id = await startPurchase();
        // Each instance generated its own signing secret: a token of the same tenant for this one.
        const auth = await bearer(other.config, 'events-tenant');
        const res = await fetch(`${otherBase}/api/numbers/${id}/events`, {
          headers: { Authorization: auth },
        });
        expect(res.status).toBe(200);
        const lines = (await readEventStream(res)).map(line);
        expect(lines).toContain('step register succeeded');
        expect(lines.at(-1)).toBe('status active');
      } finally {
        await other.app.close();
      }
    },
  );

  it("is 404 for another tenant's number, and 400 for an id that is not a UUID", async () => {
    const id = await startPurchase();
    const stranger = await bearer(t.config, 'events-stranger');
    const res = await fetch(`${base}/api/numbers/${id}/events`, { headers: { Authorization: stranger } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('NUMBERS.NOT_FOUND');
    const bad = await fetch(`${base}/api/numbers/not-a-uuid/events`, { headers: { Authorization: p.auth } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('REQUEST.INVALID_ID');
    await waitForNumber(t, p.auth, id, (n) => n.status === 'active');
  });
});
