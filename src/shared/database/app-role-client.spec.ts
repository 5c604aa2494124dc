import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { AppRoleClient, withNext } from './app-role-client.js';
import { runMigrations } from './migration-runner.js';

const WHO = `select current_user as role, current_setting('app.tenant_id', true) as tenant`;

describe('AppRoleClient', () => {
  let database: TestDatabase;
  let client: AppRoleClient;
  /** The server's ReadyForQuery messages: one per round trip. */
  let roundTrips = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    await runMigrations(database.url);
    client = new AppRoleClient({ connectionString: database.url });
    await client.connect();
    (client as unknown as { connection: { on(event: string, fn: () => void): void } }).connection.on(
      'readyForQuery',
      () => (roundTrips += 1),
    );
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });
  beforeEach(() => {
    roundTrips = 0;
  });

  /** The client's answer (its `query` is typed for every overload at once). */
  const run = (text: string, values?: unknown[]) =>
    (client.query as (text: string, values?: unknown[]) => Promise<pg.QueryResult>)(text, values);
  const rows = async (text: string) => (await run(text)).rows;

  it('sends the opening, the role switch, the settings and the first statement as one round trip', async () => {
    expect((await run('begin')).command).toBe('BEGIN');
    expect(roundTrips).toBe(0);
    // The tenant's setting waits with the opening.
    expect((await run(`select set_config('app.tenant_id', 'tenant-a', true)`)).command).toBe('SELECT');
    expect(roundTrips).toBe(0);
    expect(await rows(WHO)).toEqual([{ role: 'numbers_app', tenant: 'tenant-a' }]);
    expect(roundTrips).toBe(1);
    await run('commit');
    expect(roundTrips).toBe(2);
    expect(client.getTransactionStatus()).toBe('I');
    // The setting was the transaction's own.
    expect(await rows(WHO)).toEqual([{ role: 'numbers_app', tenant: '' }]);
  });

  it('answers a first statement of several statements with each of their results', async () => {
    await run('begin');
    const results = (await run('select 1 as a; select 2 as b')) as unknown as pg.QueryResult[];
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    await run('commit');
  });

  it('runs a first statement with parameters as the application role too', async () => {
    await run('begin');
    const result = await run('select current_user as role, $1::text as given', ['x']);
    expect(result.rows).toEqual([{ role: 'numbers_app', given: 'x' }]);
    expect(client.getTransactionStatus()).toBe('T');
    await run('rollback');
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('sends nothing for a transaction that ends before any statement', async () => {
    await run('begin');
    await run(`select set_config('app.tenant_id', 'tenant-a', true)`);
    expect((await run('commit')).command).toBe('COMMIT');
    await run('start transaction isolation level repeatable read');
    expect((await run('rollback')).command).toBe('ROLLBACK');
    expect(roundTrips).toBe(0);
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('leaves a transaction whose first statement failed failed, until its rollback', async () => {
    await run('begin');
    await expect(run('select * from no_such_table')).rejects.toThrow(/no_such_table/);
    expect(client.getTransactionStatus()).toBe('E');
    await expect(run(WHO)).rejects.toThrow(/aborted/);
    await run('rollback');
    expect(client.getTransactionStatus()).toBe('I');
    expect(await rows(WHO)).toEqual([{ role: 'numbers_app', tenant: '' }]);
  });

  it('runs a whole transaction sent as one text as the application role, in one round trip', async () => {
    const results = (await run(
      `begin isolation level repeatable read; select set_config('app.tenant_id', 'tenant-b', true); ${WHO}; commit`,
    )) as unknown as pg.QueryResult[];
    expect(roundTrips).toBe(1);
    expect(results.map((r) => r.command)).toEqual(['BEGIN', 'SELECT', 'SELECT', 'COMMIT']);
    expect(results[2]!.rows).toEqual([{ role: 'numbers_app', tenant: 'tenant-b' }]);
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('leaves a whole transaction whose statement failed failed, until its rollback', async () => {
    await expect(run('begin; select * from no_such_table; commit')).rejects.toThrow(/no_such_table/);
    expect(client.getTransactionStatus()).toBe('E');
    await run('rollback');
    expect(await rows(WHO)).toEqual([{ role: 'numbers_app', tenant: '' }]);
  });

  it('refuses a text whose opening is more than a plain begin', async () => {
    await expect(run(`begin /* ; */; ${WHO}; commit`)).rejects.toThrow(/plain begin/);
    await expect(run(`begin isolation level 'x'; ${WHO}; commit`)).rejects.toThrow(/plain begin/);
    expect(roundTrips).toBe(0);
  });

  it('sends a settings statement that holds another statement as any first statement', async () => {
    await run('begin');
    const results = (await run(
      `select set_config('app.tenant_id', 'tenant-c', true); ${WHO}`,
    )) as unknown as pg.QueryResult[];
    expect(roundTrips).toBe(1);
    expect(results[1]!.rows).toEqual([{ role: 'numbers_app', tenant: 'tenant-c' }]);
    await run('commit');
  });

  describe('a statement marked to go with the next', () => {
    beforeAll(async () => {
      await run('create temporary table if not exists written (v text)');
      await run('grant all on written to numbers_app');
    });
    beforeEach(async () => {
      await run('delete from written');
      roundTrips = 0;
    });
    const written = async () => (await rows('select v from written order by v')).map((r) => r.v as string);

    it('goes with the opening and the first statement, in one round trip, answered at once', async () => {
      await run('begin');
      await run(`select set_config('app.tenant_id', 'tenant-d', true)`);
      expect((await run(withNext(`insert into written values ('a')`))).rows).toEqual([]);
      expect(roundTrips).toBe(0);
      expect(await rows(`select v, current_setting('app.tenant_id') as tenant from written`)).toEqual([
        { v: 'a', tenant: 'tenant-d' },
      ]);
      expect(roundTrips).toBe(1);
      await run('commit');
      expect(roundTrips).toBe(2);
      expect(await written()).toEqual(['a']);
    });

    it('goes with a later statement of the transaction, or with its commit', async () => {
      await run('begin');
      await run(`insert into written values ('a')`);
      await run(withNext(`insert into written values ('b')`));
      expect(roundTrips).toBe(1);
      expect(await rows('select count(*)::int as n from written')).toEqual([{ n: 2 }]);
      expect(roundTrips).toBe(2);
      await run(withNext(`insert into written values ('c')`));
      expect((await run('commit')).command).toBe('COMMIT');
      expect(roundTrips).toBe(3);
      expect(client.getTransactionStatus()).toBe('I');
      expect(await written()).toEqual(['a', 'b', 'c']);
    });

    it('is sent with the commit of a transaction that has nothing else, and dropped by a rollback', async () => {
      await run('begin');
      await run(withNext(`insert into written values ('a')`));
      await run('commit');
      expect(roundTrips).toBe(1);
      await run('begin');
      await run(withNext(`insert into written values ('b')`));
      await run('rollback');
      await run('begin');
      await run(`select 1`);
      await run(withNext(`insert into written values ('c')`));
      await run('rollback');
      expect(client.getTransactionStatus()).toBe('I');
      expect(await written()).toEqual(['a']);
    });

    it('is dropped by a rollback to a savepoint made before it, and kept by one made after it', async () => {
      await run('begin');
      await run(`insert into written values ('a')`);
      await run('savepoint s');
      await run(withNext(`insert into written values ('b')`));
      await run('rollback to savepoint s');
      await run(withNext(`insert into written values ('c')`));
      await run('savepoint t');
      await run(`insert into written values ('d')`);
      await run('rollback to savepoint t');
      await run('commit');
      expect(client.getTransactionStatus()).toBe('I');
      expect(await written()).toEqual(['a', 'c']);
    });

    it('never fails the rollback to a savepoint it was written after (it is not sent)', async () => {
      await run('begin');
      await run(`insert into written values ('a')`);
      await run('savepoint s');
      await run(withNext(`select 1 / 0`));
      await run('rollback to savepoint s');
      await run(`insert into written values ('b')`);
      await run('commit');
      expect(await written()).toEqual(['a', 'b']);
    });

    it('fails the transaction where it is sent: the statement it went with, or the commit', async () => {
      await run('begin');
      await run(withNext(`select 1 / 0`));
      await expect(run(`insert into written values ('a')`)).rejects.toThrow(/division by zero/);
      expect(client.getTransactionStatus()).toBe('E');
      await run('rollback');
      await run('begin');
      await run(`select 1`);
      await run(withNext(`select 1 / 0`));
      await expect(run('commit')).rejects.toThrow(/division by zero/);
      expect(client.getTransactionStatus()).toBe('E');
      await run('rollback');
      expect(client.getTransactionStatus()).toBe('I');
      expect(await written()).toEqual([]);
    });

    it('runs at once outside any transaction', async () => {
      await run(withNext(`insert into written values ('a')`));
      expect(roundTrips).toBe(1);
      expect(await written()).toEqual(['a']);
    });
  });

  it('runs a statement outside any transaction in one of its own, as the application role, in one round trip', async () => {
    expect(await rows(WHO)).toEqual([{ role: 'numbers_app', tenant: '' }]);
    expect(roundTrips).toBe(1);
    expect(client.getTransactionStatus()).toBe('I');
    const results = (await run('select 1 as a; select 2 as b')) as unknown as pg.QueryResult[];
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  it('rolls back a statement outside any transaction that fails, leaving no transaction open', async () => {
    await expect(
      run(`select set_config('app.tenant_id', 'x', false); select * from no_such_table`),
    ).rejects.toThrow(/no_such_table/);
    expect(client.getTransactionStatus()).toBe('I');
    // Nothing of it stayed: a session setting made before the failure was rolled back with it.
    expect(await rows(WHO)).toEqual([{ role: 'numbers_app', tenant: '' }]);
  });

  it('keeps the isolation level of the opening', async () => {
    await run('begin isolation level serializable');
    expect(await rows('show transaction_isolation')).toEqual([{ transaction_isolation: 'serializable' }]);
    await run('commit');
  });
});
