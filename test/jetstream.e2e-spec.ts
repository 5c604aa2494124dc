import { randomBytes, randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumberRequestedEvent } from '../src/numbers/index.js';
import type { DomainEvent } from '../src/shared/domain/domain-event.js';
import { Outbox, OutboxRelay } from '../src/shared/outbox/index.js';
import { TenantScope } from '../src/tenancy/index.js';
import { CallEndedEvent } from '../src/voice-agent/index.js';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** The local NATS server with JetStream (on these machines at 127.0.0.1:4222); these tests skip without one. */
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || 4222), hostname, () => done(true));
  });
}

const present = await reachable(NATS_URL);
if (!present) {
  process.stderr.write(`Skipping the JetStream tests: no NATS server answers at ${NATS_URL}.\n`);
}

(present ? describe : describe.skip)('domain events published to NATS JetStream', () => {
  // A stream and subjects of this run's own, so parallel runs never share one.
  const run = randomBytes(4).toString('hex');
  const stream = `AFTERHOURFIX_TEST_${run}`;
  const prefix = `afterhourfix-test-${run}`;
  let t: TestApp;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  async function settle(): Promise<void> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      await t.app.get(OutboxRelay).drain();
      const [row] = await t.ownerQuery<{ open: number }>(
        "select count(*)::int as open from outbox_delivery where subscriber = 'jetstream' and status <> 'delivered'",
      );
      if (row.open === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the JetStream deliveries did not settle');
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...FAST_PROVISIONING_ENV, NATS_URL, NATS_STREAM: stream, NATS_SUBJECT_PREFIX: prefix },
    });
    nc = await connect({ servers: NATS_URL });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.close();
    await t?.close();
  });

  it('publishes each event once under afterhourfix.<module>.<event-type>, even when delivered twice', async () => {
    const tenantId = randomUUID();
    const projectId = randomUUID();
    const numberId = randomUUID();
    const events: DomainEvent[] = [
      new NumberRequestedEvent(tenantId, {
        numberId,
        projectId,
        agentId: randomUUID(),
        e164: null,
        areaCode: '205',
        requestedNumber: null,
      }),
      new CallEndedEvent(tenantId, {
        projectId,
        numberId,
        e164: '+12055550100',
        vapiCallId: 'call-to-publish',
        endedReason: 'customer-ended-call',
        durationSeconds: 30,
        cost: 0.02,
        endedAt: new Date().toISOString(),
      }),
    ];
    await t.app
      .get(TenantScope)
      .run(tenantId, () =>
        t.app.get(EntityManager).transactional(async (tx) => t.app.get(Outbox).record(tx, events)),
      );
    await settle();

    // Deliver everything to the publisher a second time (as after a crash between publishing and settling).
    await t.ownerQuery(
      "update outbox_delivery set status = 'pending', attempts = 0, next_attempt_at = now() where subscriber = 'jetstream'",
    );
    await settle();

    const info = await jsm.streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
    expect(info.config.duplicate_window).toBe(86_400 * 1_000_000_000);
    expect(info.state.messages).toBe(events.length);
    const messages = await Promise.all(
      events.map((_, i) => jsm.streams.getMessage(stream, { seq: info.state.first_seq + i })),
    );
    expect(
      messages.map((m) => ({ subject: m!.subject, msgId: m!.header.get('Nats-Msg-Id'), body: m!.json() })),
    ).toEqual(
      expect.arrayContaining(
        events.map((e) => ({
          subject: `${prefix}.${e.type}`,
          msgId: e.eventId,
          body: {
            eventId: e.eventId,
            type: e.type,
            tenantId,
            occurredAt: e.occurredAt.toISOString(),
            payload: e.payload,
          },
        })),
      ),
    );
    expect(messages.map((m) => m!.subject).sort()).toEqual(
      [`${prefix}.numbers.number-requested`, `${prefix}.voice-agent.call-ended`].sort(),
    );
  });
});
