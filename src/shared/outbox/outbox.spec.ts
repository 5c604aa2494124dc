import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type Type } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import pg from 'pg';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { AggregateRoot } from '../domain/aggregate-root.js';
import { DomainEvent, type EventEnvelope } from '../domain/domain-event.js';
import { FakeClock } from '../testing/fake-clock.js';
import { Clock } from '../time/clock.js';
import { currentDeliveryLease, DeliveryLease, DeliveryLeaseLostError } from './delivery-lease.js';
import type { DeliveryError } from './outbox-delivery.entity.js';
import { OutboxSubscriber, type DeliveryContext, type OutboxHandler } from './outbox-subscriber.js';
import { OutboxSubscriberRegistry } from './outbox-subscriber.registry.js';
import { OutboxRelay } from './outbox.relay.js';
import { Outbox } from './outbox.service.js';
import { TenantScopeRunner } from '../tenant-scope/tenant-scope.runner.js';

const TENANT = randomUUID();
const BACKOFF_BASE_MS = 1_000;
/** Short, so that the heartbeat (every third of it, in real time) beats within a test. */
const LEASE_MS = 600;
const CONCURRENCY = 3;
const ENV = {
  OUTBOX_POLL_INTERVAL_MS: '3600000', // so that only the wake-up after a commit (or drain()) delivers
  OUTBOX_MAX_ATTEMPTS: '3',
  OUTBOX_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
  OUTBOX_LEASE_MS: String(LEASE_MS),
  OUTBOX_CONCURRENCY: String(CONCURRENCY),
  OUTBOX_RETENTION_DAYS: '7',
  OUTBOX_BACKLOG_ALERT_SECONDS: '60',
};

class WidgetRenamed extends DomainEvent<{ widgetId: string; name: string }> {
  static readonly TYPE = 'test.widget-renamed';
  readonly type = WidgetRenamed.TYPE;
}

class Pinged extends DomainEvent<{ n: number }> {
  readonly type: string;
  constructor(type: string, n: number) {
    super(TENANT, { n });
    this.type = type;
  }
}

@Entity({ tableName: 'test_widget' })
class Widget extends AggregateRoot {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string' })
  name!: string;

  rename(name: string): void {
    this.name = name;
    this.recordEvent(new WidgetRenamed(TENANT, { widgetId: this.id, name }));
  }
}

@Module({ imports: [MikroOrmModule.forFeature([Widget])] })
class WidgetModule {}

/** A subscriber that records what it receives and fails its first `failures` attempts. */
class Recorder implements OutboxHandler {
  readonly received: EventEnvelope[] = [];
  readonly attempts: DeliveryContext[] = [];
  readonly exhausted: { event: EventEnvelope; error: DeliveryError }[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    public failures = 0,
    private readonly onExhaustedThen?: (event: EventEnvelope, em: EntityManager) => Promise<void>,
  ) {}

  async handle(event: EventEnvelope, context: DeliveryContext): Promise<void> {
    this.attempts.push(context);
    await new Promise((resolve) => setImmediate(resolve)); // let other deliveries interleave
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error('consumer down'), { code: 'TEST.CONSUMER_DOWN' });
    }
    this.received.push(event);
    this.waiters = this.waiters.filter((w) =>
      w.count <= this.received.length ? (w.resolve(), false) : true,
    );
  }

  async onExhausted(event: EventEnvelope, error: DeliveryError, em: EntityManager): Promise<void> {
    this.exhausted.push({ event, error });
    await this.onExhaustedThen?.(event, em);
  }

  /** Resolves once `count` events were handled (the test times out otherwise). */
  received$(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** A subscriber whose handlers wait until the gate opens; it counts how many run at once. */
class Gate implements OutboxHandler {
  readonly started: EventEnvelope[] = [];
  running = 0;
  maxRunning = 0;
  private release!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));

  constructor(private readonly then?: (event: EventEnvelope) => Promise<void>) {}

  async handle(event: EventEnvelope): Promise<void> {
    this.started.push(event);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.opened;
      await this.then?.(event);
    } finally {
      this.running -= 1;
    }
  }

  open(): void {
    this.release();
  }

  /** Resolves once `count` handlers have started. */
  async started$(count: number): Promise<void> {
    while (this.started.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function subscriberModule(name: string, events: string[], handler: OutboxHandler): Type {
  @OutboxSubscriber({ name, events })
  class TestSubscriber implements OutboxHandler {
    handle(event: EventEnvelope, context: DeliveryContext) {
      return handler.handle(event, context);
    }
  }
  @Module({ providers: [TestSubscriber] })
  class TestSubscriberModule {}
  return TestSubscriberModule;
}

describe('Outbox', () => {
  let t: TestApp;
  let clock: FakeClock;
  let outbox: Outbox;
  let relay: OutboxRelay;
  let registry: OutboxSubscriberRegistry;
  let orm: MikroORM;
  let widgetListener: Recorder;

  const subscribe = (name: string, events: string[], handler: OutboxHandler) =>
    registry.register({ name, events, handler });

  /** A transaction of the test's tenant, as every transaction that writes outbox rows runs in. */
  const inTenant = <T>(work: (em: EntityManager) => Promise<T>) =>
    t.app.get(TenantScopeRunner).run(TENANT, () => orm.em.fork().transactional(work));
  /** Records events with `outbox.record` in a transaction of their own. */
  const publish = (...events: EventEnvelope[]) => inTenant(async (em) => outbox.record(em, events));

  beforeAll(async () => {
    clock = new FakeClock();
    widgetListener = new Recorder();
    t = await createTestApp({
      env: ENV,
      imports: [WidgetModule, subscriberModule('test.widget-listener', [WidgetRenamed.TYPE], widgetListener)],
      overrides: [{ provide: Clock, useValue: clock }],
    });
    outbox = t.app.get(Outbox);
    relay = t.app.get(OutboxRelay);
    registry = t.app.get(OutboxSubscriberRegistry);
    orm = t.app.get(MikroORM);
    await t.ownerQuery('create table test_widget (id uuid primary key, name text not null)');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('recording', () => {
    it("delivers an aggregate's events right after the commit that saved it", async () => {
      const id = randomUUID();
      await inTenant(async (em) => {
        const widget = em.create(Widget, { id, name: 'draft' });
        widget.rename('final');
      });

      // The poll interval is an hour: only the wake-up after the commit can have delivered this.
      await widgetListener.received$(1);
      expect(widgetListener.received).toEqual([
        expect.objectContaining({
          type: 'test.widget-renamed',
          tenantId: TENANT,
          payload: { widgetId: id, name: 'final' },
        }),
      ]);
      await relay.drain();
      const [delivery] = await outbox.deliveries({ eventId: widgetListener.received[0].eventId });
      expect(delivery).toMatchObject({
        subscriber: 'test.widget-listener',
        status: 'delivered',
        attempts: 1,
      });
    });

    it('writes nothing when the transaction rolls back', async () => {
      const seen = new Recorder();
      subscribe('test.rollback', ['test.rolled-back'], seen);
      const event = new Pinged('test.rolled-back', 1);
      const id = randomUUID();
      await expect(
        inTenant(async (em) => {
          em.create(Widget, { id, name: 'x' }).rename('y');
          outbox.record(em, [event]);
          await em.flush();
          throw new Error('business rule broken');
        }),
      ).rejects.toThrow('business rule broken');

      await relay.drain();
      expect(seen.attempts).toEqual([]);
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([]);
      const rows = await orm.em
        .getConnection()
        .execute('select count(*)::int as n from test_widget where id = ?', [id]);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('scheduled deliveries', () => {
    it('delivers an event with a later deliverAt when it is due, not before, and it is no backlog meanwhile', async () => {
      const timer = new Recorder();
      subscribe('test.timer', ['test.due-later'], timer);
      class DueLater extends DomainEvent<{ n: number }> {
        readonly type = 'test.due-later';
      }
      const dueAt = new Date(clock.now().getTime() + 3_600_000);
      const event = new DueLater(TENANT, { n: 1 }, { deliverAt: dueAt });
      await publish(event);

      await relay.drain();
      expect(timer.attempts).toEqual([]);
      const [scheduled] = await outbox.deliveries({ eventId: event.eventId });
      expect(scheduled).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: dueAt });
      clock.advance(3_599_000);
      const backlog = await outbox.backlog();
      expect(backlog.subscribers).toContainEqual({
        subscriber: 'test.timer',
        pending: 1,
        failed: 0,
        oldestPendingAgeSeconds: 0,
      });
      await relay.drain();
      expect(timer.attempts).toEqual([]);

      clock.advance(1_000);
      await relay.drain();
      expect(timer.received).toEqual([
        expect.objectContaining({ eventId: event.eventId, payload: { n: 1 } }),
      ]);
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
        expect.objectContaining({ status: 'delivered', attempts: 1 }),
      ]);
    });
  });

  describe('retries', () => {
    it('backs a failing subscriber off and retries it, while the other subscriber is delivered once', async () => {
      const flaky = new Recorder(2);
      const steady = new Recorder();
      subscribe('test.flaky', ['test.retried'], flaky);
      subscribe('test.steady', ['test.retried'], steady);
      const event = new Pinged('test.retried', 1);
      await publish(event);
      await relay.drain();

      let [flakyDelivery] = await outbox.deliveries({ eventId: event.eventId, subscriber: 'test.flaky' });
      expect(flakyDelivery).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: { code: 'TEST.CONSUMER_DOWN', message: 'consumer down' },
      });
      const firstDelay = flakyDelivery.nextAttemptAt.getTime() - clock.now().getTime();
      expect(firstDelay).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
      expect(firstDelay).toBeLessThanOrEqual(BACKOFF_BASE_MS);

      await relay.drain(); // not due yet
      expect(flaky.attempts).toHaveLength(1);

      clock.advance(BACKOFF_BASE_MS);
      await relay.drain();
      [flakyDelivery] = await outbox.deliveries({ eventId: event.eventId, subscriber: 'test.flaky' });
      expect(flakyDelivery).toMatchObject({ status: 'pending', attempts: 2 });
      const secondDelay = flakyDelivery.nextAttemptAt.getTime() - clock.now().getTime();
      expect(secondDelay).toBeGreaterThanOrEqual(BACKOFF_BASE_MS);
      expect(secondDelay).toBeLessThanOrEqual(2 * BACKOFF_BASE_MS);

      clock.advance(2 * BACKOFF_BASE_MS);
      await relay.drain();
      expect(flaky.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      expect(flaky.received.map((e) => e.eventId)).toEqual([event.eventId]);
      expect(steady.attempts).toHaveLength(1);
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
        expect.objectContaining({ subscriber: 'test.flaky', status: 'delivered', attempts: 3 }),
        expect.objectContaining({ subscriber: 'test.steady', status: 'delivered', attempts: 1 }),
      ]);
    });

    it('marks an exhausted delivery failed, runs the hook in its transaction, and re-arms it on retry', async () => {
      const followUps = new Recorder();
      subscribe('test.follow-up', ['test.step-failed'], followUps);
      const broken = new Recorder(Infinity, async (event, em) => {
        outbox.record(em, [new Pinged('test.step-failed', (event.payload as { n: number }).n)]);
      });
      subscribe('test.broken', ['test.exhausted'], broken);
      const event = new Pinged('test.exhausted', 7);
      await publish(event);
      for (let i = 0; i < 3; i++) {
        await relay.drain();
        clock.advance(10 * BACKOFF_BASE_MS);
      }
      await relay.drain();

      expect(broken.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      const [failed] = await outbox.deliveries({ eventId: event.eventId });
      expect(failed).toMatchObject({
        subscriber: 'test.broken',
        status: 'failed',
        attempts: 3,
        lastError: { code: 'TEST.CONSUMER_DOWN', message: 'consumer down' },
      });
      expect(failed.failedAt).toEqual(new Date(clock.now().getTime() - 10 * BACKOFF_BASE_MS));
      expect(broken.exhausted).toEqual([
        { event: expect.objectContaining({ eventId: event.eventId }), error: failed.lastError },
      ]);
      // The event the hook recorded was committed with the failure and delivered.
      expect(followUps.received).toEqual([
        expect.objectContaining({ type: 'test.step-failed', payload: { n: 7 } }),
      ]);
      expect(await outbox.deliveries({ status: 'failed', subscriber: 'test.broken' })).toHaveLength(1);

      broken.failures = 0;
      expect(await outbox.retry({ subscriber: 'test.broken', eventId: event.eventId })).toBe(1);
      await broken.received$(1);
      await relay.drain();
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
        expect.objectContaining({ status: 'delivered', attempts: 1, failedAt: null }),
      ]);
      expect(await outbox.retry({ subscriber: 'test.broken' })).toBe(0);
    });
  });

  describe('claims', () => {
    /**
     * Records an event already claimed by a relay that then died, with `attempts` used up. In a nested transaction,
     * so that this relay does not claim it as it is written (it claims only what a transaction's own commit writes).
     */
    const publishClaimedByDeadRelay = (event: EventEnvelope, attempts: number) =>
      inTenant(async (em) => {
        await em.transactional(async (nested) => {
          outbox.record(nested, [event]);
          await nested.flush();
        });
        await em
          .getConnection()
          .execute(
            'update outbox_delivery set claim_token = ?, claimed_until = ?, attempts = ? where event_id = ?',
            [randomUUID(), new Date(clock.now().getTime() + LEASE_MS), attempts, event.eventId],
            'run',
            em.getTransactionContext(),
          );
      });

    it('leaves a claimed delivery alone until the claim expires, then takes it over', async () => {
      const late = new Recorder();
      subscribe('test.late', ['test.claimed'], late);
      const event = new Pinged('test.claimed', 1);
      await publishClaimedByDeadRelay(event, 1);

      await relay.drain();
      expect(late.attempts).toEqual([]);

      clock.advance(LEASE_MS);
      await relay.drain();
      expect(late.attempts).toEqual([{ attempt: 2, maxAttempts: 3 }]);
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
        expect.objectContaining({ status: 'delivered', attempts: 2 }),
      ]);
    });

    it('fails a delivery whose last attempt never finished', async () => {
      const never = new Recorder();
      subscribe('test.never', ['test.claimed-last'], never);
      const event = new Pinged('test.claimed-last', 1);
      await publishClaimedByDeadRelay(event, 3);
      clock.advance(LEASE_MS);
      await relay.drain();

      expect(never.attempts).toEqual([]);
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
        expect.objectContaining({
          status: 'failed',
          attempts: 4,
          lastError: {
            code: 'OUTBOX.CLAIM_EXPIRED',
            message: 'attempt 3 did not finish: its relay stopped renewing its lease',
          },
        }),
      ]);
      expect(never.exhausted).toHaveLength(1);
    });
  });

  describe('claims at write', () => {
    it('claims a delivery as the transaction writes it and runs it right after the commit', async () => {
      const seen = new Recorder();
      subscribe('test.at-write', ['test.at-write'], seen);
      const event = new Pinged('test.at-write', 1);
      let atWrite: { claim_token: string | null; attempts: number; claimed_until: Date | null } | undefined;
      await inTenant(async (em) => {
        outbox.record(em, [event]);
        await em.flush();
        [atWrite] = await em
          .getConnection()
          .execute(
            'select claim_token, attempts, claimed_until from outbox_delivery where event_id = ?',
            [event.eventId],
            'all',
            em.getTransactionContext(),
          );
      });

      // Written claimed, with its first attempt and a lease: no relay's claim can take it.
      expect(atWrite).toMatchObject({ claim_token: expect.any(String), attempts: 1 });
      expect(new Date(atWrite!.claimed_until!).getTime()).toBe(clock.now().getTime() + LEASE_MS);
      await seen.received$(1);
      expect(seen.attempts).toEqual([{ attempt: 1, maxAttempts: 3 }]);
      await relay.drain();
      expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
        expect.objectContaining({ status: 'delivered', attempts: 1 }),
      ]);
    });

    it('gives the slots back when the transaction rolls back', async () => {
      const gate = new Gate();
      subscribe('test.at-write-rollback', ['test.at-write-rollback'], gate);
      const batch = () =>
        Array.from({ length: CONCURRENCY }, (_, n) => new Pinged('test.at-write-rollback', n));
      await expect(
        inTenant(async (em) => {
          outbox.record(em, batch());
          await em.flush();
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');

      await publish(...batch());
      await gate.started$(CONCURRENCY);
      expect(relay.runningDeliveries()).toHaveLength(CONCURRENCY);
      gate.open();
      await relay.drain();
    });

    const server = process.env.DATABASE_URL?.trim();
    (server ? it : it.skip)(
      'notifies other relays only of deliveries no relay claimed at write (LISTEN outbox_due)',
      async () => {
        const gate = new Gate();
        subscribe('test.at-write-notify', ['test.at-write-notify'], gate);
        const listener = new pg.Client({ connectionString: t.database.url });
        await listener.connect();
        let notified = 0;
        listener.on('notification', () => (notified += 1));
        await listener.query('listen outbox_due');
        try {
          await publish(new Pinged('test.at-write-notify', 1)); // claimed at write
          await sleep(300);
          expect(notified).toBe(0);

          // One more than the free slots: the last is written unclaimed, for any relay.
          await publish(
            ...Array.from({ length: CONCURRENCY }, (_, n) => new Pinged('test.at-write-notify', n)),
          );
          await sleep(300);
          expect(notified).toBe(1);
        } finally {
          gate.open();
          await relay.drain();
          await listener.end();
        }
      },
    );
  });

  describe('concurrency', () => {
    it('runs each delivery as soon as it is claimed: a slow one holds back no other', async () => {
      const slow = new Gate();
      const quick = new Recorder();
      subscribe('test.gated', ['test.gated'], slow);
      subscribe('test.quick', ['test.quick'], quick);
      await publish(new Pinged('test.gated', 1));
      await slow.started$(1);

      await publish(new Pinged('test.quick', 1));
      // Would wait forever if the relay waited for the slow delivery claimed before it.
      await quick.received$(1);
      expect(slow.running).toBe(1);
      slow.open();
      await relay.drain();
      expect(await outbox.deliveries({ subscriber: 'test.gated' })).toEqual([
        expect.objectContaining({ status: 'delivered', attempts: 1 }),
      ]);
    });

    it(`runs at most OUTBOX_CONCURRENCY (${CONCURRENCY}) at once, and claims the rest as slots free up`, async () => {
      const gate = new Gate();
      subscribe('test.bounded', ['test.bounded'], gate);
      await publish(...[1, 2, 3, 4, 5].map((n) => new Pinged('test.bounded', n)));
      await gate.started$(CONCURRENCY);
      await sleep(100);
      expect(gate.started).toHaveLength(CONCURRENCY);
      expect(relay.runningDeliveries()).toHaveLength(CONCURRENCY);

      gate.open();
      await relay.drain();
      expect(gate.started).toHaveLength(5);
      expect(gate.maxRunning).toBe(CONCURRENCY);
      const deliveries = await outbox.deliveries({ subscriber: 'test.bounded' });
      expect(deliveries.map((d) => [d.status, d.attempts])).toEqual(Array(5).fill(['delivered', 1]));
    });
  });

  describe('leases', () => {
    const leaseOf = async (eventId: string) => {
      const [row] = await t.ownerQuery<{ claimed_until: Date; claim_token: string | null; status: string }>(
        'select claimed_until, claim_token, status from outbox_delivery where event_id = $1',
        [eventId],
      );
      return row!;
    };

    it('renews the lease while the handler runs, so no other relay may take the delivery over', async () => {
      const long = new Gate();
      subscribe('test.long', ['test.long'], long);
      const event = new Pinged('test.long', 1);
      await publish(event);
      await long.started$(1);
      const claimedAt = clock.now().getTime();
      expect((await leaseOf(event.eventId)).claimed_until.getTime()).toBe(claimedAt + LEASE_MS);

      // Past the first lease: only the heartbeat (every LEASE_MS / 3) can have pushed it forward.
      clock.advance(LEASE_MS);
      await sleep(LEASE_MS);
      expect((await leaseOf(event.eventId)).claimed_until.getTime()).toBe(claimedAt + 2 * LEASE_MS);

      long.open();
      await relay.drain();
      expect(await leaseOf(event.eventId)).toMatchObject({ status: 'delivered', claim_token: null });
    });

    it('a handler that settles its delivery with its work leaves the relay nothing to write; a rolled-back settlement leaves it to the relay', async () => {
      const widgetId = randomUUID();
      let failOnce = true;
      const settling = new Recorder();
      const leases: DeliveryLease[] = [];
      const handler: OutboxHandler = {
        handle: async (event, context) => {
          leases.push(currentDeliveryLease()!);
          await inTenant(async (em) => {
            await currentDeliveryLease()!.settleIn(em);
            em.create(Widget, { id: context.attempt === 1 ? randomUUID() : widgetId, name: 'settled' });
            if (failOnce) {
              failOnce = false;
              throw Object.assign(new Error('rolled back after settling'), { code: 'TEST.ROLLED_BACK' });
            }
          });
          await settling.handle(event, context);
        },
      };
      subscribe('test.settling', ['test.settling'], handler);
      const event = new Pinged('test.settling', 1);
      await publish(event);
      await relay.drain();

      // The first attempt's settlement rolled back with its work: the relay recorded the failure for a retry.
      expect(await leaseOf(event.eventId)).toMatchObject({ status: 'pending', claim_token: null });
      clock.advance(BACKOFF_BASE_MS);
      await relay.drain();
      expect(settling.attempts).toEqual([{ attempt: 2, maxAttempts: 3 }]);
      const [delivery] = await outbox.deliveries({ eventId: event.eventId });
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(delivery!.deliveredAt).toEqual(clock.now());
      // Only the committed settlement counts: the relay settled the first attempt (as failed), not the second.
      expect(leases.map((lease) => lease.settled)).toEqual([false, true]);
      expect(await t.ownerQuery('select name from test_widget where id = $1', [widgetId])).toEqual([
        { name: 'settled' },
      ]);
    });

    it.each([
      ['confirm fails before its work', 'confirm'],
      ['settlement fails after its work was written', 'settleIn'],
    ] as const)(
      "a handler whose lease was taken over writes nothing: its transaction's %s, the delivery stays the other relay's",
      async (_, how) => {
        const failures: unknown[] = [];
        const leases: DeliveryLease[] = [];
        const widgetId = randomUUID();
        const type = `test.overtaken-${how}`;
        const overtaken = new Gate((event) =>
          inTenant(async (em) => {
            const lease = currentDeliveryLease()!;
            leases.push(lease);
            if (how === 'confirm') await lease.confirm(em);
            em.create(Widget, { id: widgetId, name: `from ${event.eventId}` });
            if (how === 'settleIn') {
              await em.flush();
              await lease.settleIn(em);
            }
          }).catch((error: unknown) => {
            failures.push(error);
            throw error;
          }),
        );
        subscribe(type, [type], overtaken);
        const event = new Pinged(type, 1);
        await publish(event);
        await overtaken.started$(1);
        // Another relay claims it (as once this one's lease ran out).
        const [{ token }] = await t.ownerQuery<{ token: string }>(
          `update outbox_delivery set claim_token = gen_random_uuid() where event_id = $1 returning claim_token as token`,
          [event.eventId],
        );

        overtaken.open();
        await relay.drain();
        // The relay knows the lease lost; the handler saw its transaction fail, at the confirm, or where the
        // settlement was sent (with the transaction's commit), as the lease's loss.
        expect(leases.map((lease) => [lease.lost, lease.settled])).toEqual([[true, false]]);
        expect(failures.map((failure) => leases[0]!.failureOf(failure))).toEqual([
          expect.any(DeliveryLeaseLostError),
        ]);
        expect(await t.ownerQuery('select 1 from test_widget where id = $1', [widgetId])).toEqual([]);
        expect(await leaseOf(event.eventId)).toMatchObject({ status: 'pending', claim_token: token });
        expect(await outbox.deliveries({ eventId: event.eventId })).toEqual([
          expect.objectContaining({ status: 'pending', attempts: 1, lastError: null }),
        ]);
        // The other relay's business: leave nothing pending for the next tests.
        await t.ownerQuery("update outbox_delivery set status = 'delivered' where event_id = $1", [
          event.eventId,
        ]);
      },
    );
  });

  describe('retention', () => {
    it('prunes settled events older than the retention, keeping pending and failed ones', async () => {
      const ok = new Recorder();
      const down = new Recorder(Infinity);
      subscribe('test.prune-ok', ['test.prunable'], ok);
      subscribe('test.prune-down', ['test.kept'], down);
      const old = new Pinged('test.prunable', 1);
      const stuck = new Pinged('test.kept', 1);
      await publish(old, stuck);
      await relay.drain();

      clock.advance(8 * 24 * 60 * 60 * 1000);
      const recent = new Pinged('test.prunable', 2);
      await publish(recent);
      await relay.drain();

      expect(await outbox.prune()).toBeGreaterThanOrEqual(1);
      expect(await outbox.deliveries({ eventId: old.eventId })).toEqual([]);
      expect(await outbox.deliveries({ eventId: stuck.eventId })).toHaveLength(1);
      expect(await outbox.deliveries({ eventId: recent.eventId })).toEqual([
        expect.objectContaining({ status: 'delivered' }),
      ]);
      // Leave nothing pending for the next tests.
      await t.ownerQuery("update outbox_delivery set status = 'failed' where subscriber = 'test.prune-down'");
    });
  });

  describe('metrics, readiness and the outbox report', () => {
    const http = () => request(t.app.getHttpServer());

    it('reports an old backlog in the metrics and /health/outbox, and stays ready', async () => {
      // Left failed by earlier tests: test.never (its last claim expired) and test.prune-down.
      const before = await http().get('/health/outbox').expect(200);
      expect(before.body).toMatchObject({
        status: 'degraded',
        reasons: [
          {
            code: 'OUTBOX.DELIVERIES_FAILED',
            message: '2 deliveries ran out of attempts and wait for a retry',
            subscribers: ['test.never', 'test.prune-down'],
          },
        ],
        pending: 0,
        failed: 2,
        backlogAlertSeconds: 60,
      });

      const slow = new Recorder(Infinity);
      subscribe('test.slow', ['test.backlogged'], slow);
      await publish(new Pinged('test.backlogged', 1));
      await relay.drain();
      clock.advance(60_000);
      const atThreshold = await http().get('/health/outbox').expect(200);
      expect(atThreshold.body.reasons.map((r: { code: string }) => r.code)).toEqual([
        'OUTBOX.DELIVERIES_FAILED',
      ]);

      clock.advance(1_000);
      const metrics = await http().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^outbox_backlog\{status="pending"\} 1$/m);
      expect(metrics.text).toMatch(/^outbox_backlog\{status="failed"\} 2$/m);
      expect(metrics.text).toMatch(/^outbox_oldest_pending_age_seconds 61$/m);
      expect(metrics.text).toMatch(
        /^outbox_subscriber_backlog\{subscriber="test.slow",status="pending"\} 1$/m,
      );
      expect(metrics.text).toMatch(
        /^outbox_subscriber_backlog\{subscriber="test.never",status="failed"\} 1$/m,
      );
      // Every subscriber that runs here has its series, at 0 when it is up to date.
      expect(metrics.text).toMatch(
        /^outbox_subscriber_backlog\{subscriber="test.widget-listener",status="failed"\} 0$/m,
      );
      expect(metrics.text).toMatch(
        /^outbox_subscriber_oldest_pending_age_seconds\{subscriber="test.slow"\} 61$/m,
      );
      expect(metrics.text).toMatch(
        /^outbox_subscriber_oldest_pending_age_seconds\{subscriber="test.steady"\} 0$/m,
      );
      expect(metrics.text).toMatch(/^outbox_deliveries_total\{subscriber="test.widget-listener"\} 1$/m);
      expect(metrics.text).toMatch(
        /^outbox_delivery_failures_total\{subscriber="test.slow",outcome="retry"\} 1$/m,
      );
      expect(metrics.text).toMatch(
        /^outbox_delivery_failures_total\{subscriber="test.broken",outcome="exhausted"\} 1$/m,
      );

      // The instance serves as well as before: readiness does not look at the backlog.
      const ready = await http().get('/health/ready').expect(200);
      expect(Object.keys(ready.body.details)).toEqual(['database']);

      const report = await http().get('/health/outbox').expect(200);
      expect(report.body).toMatchObject({
        status: 'degraded',
        reasons: [
          {
            code: 'OUTBOX.BACKLOG_OLD',
            message: 'the oldest pending delivery is 61 s old, over OUTBOX_BACKLOG_ALERT_SECONDS (60 s)',
            subscribers: ['test.slow'],
          },
          { code: 'OUTBOX.DELIVERIES_FAILED', subscribers: ['test.never', 'test.prune-down'] },
        ],
        pending: 1,
        failed: 2,
        oldestPendingAgeSeconds: 61,
      });
      expect(report.body.subscribers).toContainEqual({
        subscriber: 'test.slow',
        pending: 1,
        failed: 0,
        oldestPendingAgeSeconds: 61,
      });

      slow.failures = 0;
      await relay.drain();
      await t.ownerQuery("update outbox_delivery set status = 'delivered' where status = 'failed'");
      const settled = await http().get('/health/outbox').expect(200);
      expect(settled.body).toMatchObject({ status: 'ok', reasons: [], pending: 0, failed: 0 });
      expect(settled.body.subscribers).toContainEqual({
        subscriber: 'test.slow',
        pending: 0,
        failed: 0,
        oldestPendingAgeSeconds: 0,
      });
      const after = await http().get('/metrics').expect(200);
      expect(after.text).toMatch(/^outbox_oldest_pending_age_seconds 0$/m);
      expect(after.text).toMatch(/^outbox_subscriber_backlog\{subscriber="test.never",status="failed"\} 0$/m);
    });
  });
});

describe('Outbox relays on several instances', () => {
  let first: TestApp;
  let second: TestApp;
  const handled = new Map<string, number>();
  const counter: OutboxHandler = {
    async handle(event) {
      await new Promise((resolve) => setImmediate(resolve));
      handled.set(event.eventId, (handled.get(event.eventId) ?? 0) + 1);
    },
  };
  /** Records events in a transaction of the test's tenant on `instance`. */
  const recordIn = (instance: TestApp, events: EventEnvelope[]) =>
    instance.app.get(TenantScopeRunner).run(TENANT, () =>
      instance.app
        .get(MikroORM)
        .em.fork()
        .transactional(async (em) => instance.app.get(Outbox).record(em, events)),
    );
  const instance = (database?: TestApp['database'], env: Record<string, string> = {}) =>
    createTestApp({
      database,
      env: { ...ENV, OUTBOX_RELAY_ENABLED: 'false', ...env },
      imports: [subscriberModule('test.counter', ['test.counted'], counter)],
    });

  beforeAll(async () => {
    first = await instance();
    second = await instance(first.database);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('delivers each event to each subscriber exactly once when relays compete', async () => {
    const events = Array.from({ length: 40 }, (_, n) => new Pinged('test.counted', n));
    await recordIn(first, events);

    const relays = [first.app.get(OutboxRelay), second.app.get(OutboxRelay)];
    await Promise.all([relays[0].drain(), relays[1].drain(), relays[1].drain(), relays[0].drain()]);

    expect(handled.size).toBe(40);
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
    const delivered = await first.app
      .get(Outbox)
      .deliveries({ subscriber: 'test.counter', status: 'delivered' });
    expect(delivered).toHaveLength(40);
  });

  it('picks up what was left pending when an instance starts', async () => {
    const event = new Pinged('test.counted', 99);
    await recordIn(second, [event]);
    await second.close(); // its relay is disabled: the event stays pending

    const waiting = new Recorder();
    second = await createTestApp({
      database: first.database,
      env: ENV,
      imports: [subscriberModule('test.counter', ['test.counted'], waiting)],
    });
    await waiting.received$(1);
    expect(waiting.received.map((e) => e.eventId)).toEqual([event.eventId]);
  });
});
