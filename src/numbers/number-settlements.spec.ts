import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import {
  FAST_PROVISIONING_ENV,
  inTenant,
  secondInstanceEnv,
  storedNumber,
  tenantIdOf,
  tenantWithProject,
} from '../../test/support/numbers.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { BuyNumberCommand } from './buy-number/buy-number.command.js';
import { NumberChanges, type NumberChange } from './number-changes.js';
import { NumberSettlements } from './number-settlements.js';
import { PhoneNumber } from './phone-number.entity.js';
import { PhoneNumberResponse, type PurchaseNumberResponse } from './phone-number.response.js';

/** A full garbage collection (V8's `gc`, exposed for this), between two turns of the event loop. */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
}

const server = process.env.DATABASE_URL?.trim();
/**
 * Reads a settling commit of this process may cost after all: on a server, its `NOTIFY` may reach the listening
 * connection before the commit's answer reaches the committing one (none on the embedded database).
 */
const NOTIFY_MAY_OUTRUN = server ? 1 : 0;

/** Far longer than the test may take: a wait that ends must have been woken, not timed out. */
const WAIT_MS = 60_000;

/**
 * Waiting for a number to settle: woken by the commit that settles it, on this instance (in-process) and on another
 * (PostgreSQL NOTIFY, on a server database), with a read at the start and one after each wake-up, never a poll.
 * The relay is off: the test moves the number itself.
 */
describe('NumberSettlements', () => {
  let t: TestApp;
  let owner: { tenantId: string; projectId: string; agentId: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, OUTBOX_RELAY_ENABLED: 'false' } });
    const p = await tenantWithProject(t, 'settlements-tenant');
    owner = { tenantId: await tenantIdOf(t, p.projectId), projectId: p.projectId, agentId: p.agentId };
  });
  afterAll(() => t.close());

  /** A number stored, once the notifications of its insert have gone by (they wake a waiter too). */
  const quietNumber = async () => {
    const number = await storedNumber(t, owner);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return number;
  };

  /** The number's status, as the answer of a wait. */
  const answer = (number: Readonly<PhoneNumber>) => ({ status: number.status });

  /** Waits on `app`'s settlements, counting the reads; its first state is `first`'s when given. */
  function waitOn(
    app: TestApp,
    id: string,
    timeoutMs = WAIT_MS,
    first?: () => Promise<Readonly<PhoneNumber>>,
  ) {
    let reads = 0;
    const settled = inTenant(app, owner.tenantId, () =>
      app.app.get(NumberSettlements).waitFor(id, timeoutMs, {
        first,
        read: () => {
          reads++;
          return app.app.get(EntityManager).fork().findOneOrFail(PhoneNumber, id);
        },
        answer,
      }),
    );
    return { settled, reads: () => reads };
  }

  /** Fails the number's purchase in `app`, committed: a settled number. */
  const settle = (app: TestApp, id: string) =>
    inTenant(app, owner.tenantId, () =>
      app.app
        .get(EntityManager)
        .fork()
        .transactional(async (tx) => {
          const number = await tx.findOneOrFail(PhoneNumber, id);
          number.failStep('purchase', { code: 'TEST.FAILED', message: 'failed by the test' });
        }),
    );

  it('wakes when the settling transaction commits in this process, and answers from what it committed', async () => {
    const number = await quietNumber();
    const wait = waitOn(t, number.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(wait.reads()).toBe(1);
    await settle(t, number.id);
    expect(await wait.settled).toEqual({ status: 'failed' });
    // The start's read only: the settling commit carried the number; on a server its NOTIFY may outrun the commit's
    // own answer, and then it is read once.
    expect(wait.reads()).toBeGreaterThanOrEqual(1);
    expect(wait.reads()).toBeLessThanOrEqual(1 + NOTIFY_MAY_OUTRUN);
  });

  it('takes its first state from `first` (the creating transaction) and reads nothing when it settles here', async () => {
    const number = await quietNumber();
    let firsts = 0;
    const wait = waitOn(t, number.id, WAIT_MS, async () => {
      firsts++;
      return inTenant(t, owner.tenantId, () =>
        t.app.get(EntityManager).fork().findOneOrFail(PhoneNumber, number.id),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle(t, number.id);
    expect(await wait.settled).toEqual({ status: 'failed' });
    expect(firsts).toBe(1);
    expect(wait.reads()).toBeLessThanOrEqual(NOTIFY_MAY_OUTRUN);
  });

  it('answers at once when `first` is settled already, with no read', async () => {
    const number = await quietNumber();
    await settle(t, number.id);
    const settledNumber = await inTenant(t, owner.tenantId, () =>
      t.app.get(EntityManager).fork().findOneOrFail(PhoneNumber, number.id),
    );
    const wait = waitOn(t, number.id, WAIT_MS, () => Promise.resolve(settledNumber));
    expect(await wait.settled).toEqual({ status: 'failed' });
    expect(wait.reads()).toBe(0);
  });

  it("a change of another number does not wake it; the deadline's read decides", async () => {
    const [waited, other] = [await storedNumber(t, owner), await quietNumber()];
    const wait = waitOn(t, waited.id, 300);
    await settle(t, other.id);
    expect((await wait.settled).status).toBe('purchasing');
    expect(wait.reads()).toBeLessThanOrEqual(3); // the start, the deadline, at most one late notification
  });

  it('a change that leaves the number under way does not wake it', async () => {
    const number = await quietNumber();
    const wait = waitOn(t, number.id, 400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const readsBefore = wait.reads();
    for (let i = 0; i < 3; i++) {
      await inTenant(t, owner.tenantId, () =>
        t.app
          .get(EntityManager)
          .fork()
          .transactional(async (tx) => {
            (await tx.findOneOrFail(PhoneNumber, number.id)).startAttempt('purchase');
          }),
      );
    }
    expect((await wait.settled).status).toBe('purchasing');
    // The start's read, then only the deadline's: three committed changes, none a settling one.
    expect(readsBefore).toBe(1);
    expect(wait.reads()).toBe(2);
  });

  it('announces every committed change of a number, none rolled back', async () => {
    const number = await quietNumber();
    const seen: (NumberChange | null)[] = [];
    const unsubscribe = t.app.get(NumberChanges).subscribe((change) => {
      if (change?.numberId === number.id) seen.push(change);
    });
    try {
      await inTenant(t, owner.tenantId, () =>
        t.app
          .get(EntityManager)
          .fork()
          .transactional(async (tx) => {
            const n = await tx.findOneOrFail(PhoneNumber, number.id);
            n.startAttempt('purchase');
            await tx.flush();
            throw new Error('rolled back');
          }),
      ).catch(() => undefined);
      expect(seen).toEqual([]);
      await settle(t, number.id);
      expect(seen).toContainEqual(
        expect.objectContaining({ tenantId: owner.tenantId, numberId: number.id, status: 'failed' }),
      );
      // Committed here: the change carries the number as committed.
      expect(seen.at(-1)?.number).toMatchObject({ id: number.id, status: 'failed' });
    } finally {
      unsubscribe();
    }
  });

  it('keeps no number it read while it waits (hundreds of clicks may wait at once)', async () => {
    const number = await quietNumber();
    const reads: WeakRef<PhoneNumber>[] = [];
    const settled = inTenant(t, owner.tenantId, () =>
      t.app.get(NumberSettlements).waitFor(number.id, WAIT_MS, {
        read: async () => {
          const read = await t.app.get(EntityManager).fork().findOneOrFail(PhoneNumber, number.id);
          reads.push(new WeakRef(read));
          return read;
        },
        answer,
      }),
    );
    while (reads.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await collectGarbage();
    expect(reads.map((read) => read.deref())).toEqual(reads.map(() => undefined));
    await settle(t, number.id);
    expect((await settled).status).toBe('failed');
  });

  /** A click's purchase on `app`, waiting for its answer, and the answer a read of its number gives then. */
  async function clickAndRead(app: TestApp, tenantId: string, p: { projectId: string; agentId: string }) {
    const answer = await inTenant(app, tenantId, () =>
      app.app.get(CommandBus).execute(new BuyNumberCommand(tenantId, p, undefined)),
    );
    const body = answer.body as unknown as PurchaseNumberResponse;
    const stored = await inTenant(app, tenantId, () =>
      app.app.get(EntityManager).fork().findOneOrFail(PhoneNumber, body.phoneNumber.id),
    );
    const read: PurchaseNumberResponse = {
      success: stored.status === 'active',
      phoneNumber: PhoneNumberResponse.of(stored),
      vapiNumberId: stored.vapiNumberId,
    };
    return { answer, body, read };
  }

  it('answers a click from the number its last step committed here, as a read of it answers', async () => {
    const here = await createTestApp({ env: FAST_PROVISIONING_ENV });
    try {
      const p = await tenantWithProject(here, 'settlements-click-here');
      const { answer, body, read } = await clickAndRead(here, await tenantIdOf(here, p.projectId), p);
      expect(answer.status).toBe(201);
      expect(answer.headers).toEqual({ Location: `/api/numbers/${body.phoneNumber.id}` });
      expect(body).toEqual(read);
    } finally {
      await here.close();
    }
  });

  if (!server) {
    console.log(
      'skipped: waking across instances needs a PostgreSQL server (the embedded database has one process)',
    );
  }
  (server ? it : it.skip)(
    'answers a click whose number another instance provisions from a read after its NOTIFY, as a read answers',
    async () => {
      // This instance's relay is off: the other one runs every step, and its commits reach this one as NOTIFYs.
      const other = await createTestApp({ env: secondInstanceEnv(t), database: t.database });
      try {
        const { answer, body, read } = await clickAndRead(t, owner.tenantId, owner);
        expect(answer.status).toBe(201);
        expect(body).toEqual(read);
      } finally {
        await other.close();
      }
    },
  );

  (server ? it : it.skip)('wakes on another instance when this one settles it (LISTEN/NOTIFY)', async () => {
    const other = await createTestApp({
      env: { ...secondInstanceEnv(t), OUTBOX_RELAY_ENABLED: 'false' },
      database: t.database,
    });
    try {
      const number = await quietNumber();
      const wait = waitOn(other, number.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await settle(t, number.id);
      expect((await wait.settled).status).toBe('failed');
      // Committed on another instance: its NOTIFY carries no number, so the number is read again.
      expect(wait.reads()).toBeGreaterThanOrEqual(2);
      expect(wait.reads()).toBeLessThanOrEqual(3);
    } finally {
      await other.close();
    }
  });
});
