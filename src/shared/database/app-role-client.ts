import type { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * The role every statement of the application runs as: it owns no table, is no superuser and cannot bypass
 * row-level security, so the policies apply to everything the application runs.
 */
export const APP_ROLE = 'numbers_app';

const STARTS_TRANSACTION = /^\s*(begin|start\s+transaction)\b/i;
/** An opening and its modes (`isolation level …`, `read only`), and nothing that could hide a statement. */
const PLAIN_OPENING = /^\s*(begin|start\s+transaction)[\w\s,]*$/i;
/** A statement that ends a transaction, alone (no second statement after it). */
const ENDS_TRANSACTION = /^\s*(commit|rollback|end|abort)\s*;?\s*$/i;
/** How `text` ends the transaction, when it is a statement that does. */
function endOf(text: unknown): 'commit' | 'rollback' | null {
  const end = typeof text === 'string' ? ENDS_TRANSACTION.exec(text) : null;
  if (!end) return null;
  return /^(commit|end)$/i.test(end[1]!) ? 'commit' : 'rollback';
}
/** A rollback to a savepoint: it undoes whatever waits (everything sent since the savepoint went before it). */
const ROLLS_BACK_TO_SAVEPOINT = /^\s*rollback\s+to\b/i;
/** A statement that only sets transaction-local settings (MikroORM's session context: `select set_config(…)`). */
const SETS_CONFIG =
  /^\s*select\s+set_config\((?:[^;'"]|'(?:[^']|'')*')*\)(?:\s*,\s*set_config\((?:[^;'"]|'(?:[^']|'')*')*\))*\s*$/i;
const isEmpty = (values: unknown) => values === undefined || (Array.isArray(values) && values.length === 0);

/** The mark of a statement that may go with its transaction's next one (`withNext`). */
const WITH_NEXT = '/* with next */';

/**
 * Marks a statement (one statement: a text without parameters, or with `?` placeholders MikroORM fills in) whose
 * answer its caller does not read: inside a transaction, `AppRoleClient` answers it at once and sends it in the same
 * round trip as the transaction's next statement (or its `commit`). Its failure, if any, is the failure of that round
 * trip: the transaction fails there. For a write no later statement depends on the answer of, such as a row to
 * insert, or a function that raises when the transaction must not commit.
 */
export const withNext = (sql: string) => `${WITH_NEXT} ${sql}`;
const synthetic = (command: string) => ({ command, rowCount: null, oid: null, rows: [], fields: [] });

/**
 * The `pg` client of the application's pool: every statement it sends runs inside a transaction whose first
 * statement is `set local role numbers_app`.
 *
 * - A statement that opens a transaction (`begin`, `start transaction`) is followed at once by the role switch. When
 *   it has no parameters, neither is sent until the transaction's first statement, and the three go as one round
 *   trip (`begin; set local role numbers_app; <statement>`) when that statement has no parameters either (MikroORM
 *   sends its statements with their values inlined, so its `set_config` of the tenant rides with the opening). A
 *   transaction that ends before any statement was sent sends nothing.
 * - A text of several statements that opens a transaction (`begin; …; commit`, a whole transaction in one round
 *   trip) gets the role switch right after its opening, so that none of its statements runs without it; its answer
 *   leaves the role switch's result out. Its opening must be a plain `begin` (with modes only), else it is refused.
 * - The transaction's settings (MikroORM's `select set_config(…)` of the tenant, its session context) that come
 *   before its first statement wait with the opening, so the opening, the tenant and a first read cost one round trip.
 * - A statement marked `withNext` (its caller reads nothing of its answer) waits, in a transaction, to go with the
 *   transaction's next statement or its `commit`, in the same round trip.
 * - A statement outside any transaction is wrapped: `begin; set local role numbers_app`, the statement, `commit`
 *   (`rollback` when it fails); as one round trip when it has no parameters.
 * - Inside a transaction (status `T` or `E` of the server's ReadyForQuery), statements go as they are.
 *
 * Why per transaction and not `SET ROLE` once per connection: the embedded database (PGlite behind
 * pglite-socket) is one backend shared by every socket connection, so session state set by one connection is
 * seen by all (a session `SET ROLE` of the pool would turn the migrator into the application role, and a
 * `RESET ROLE` anywhere would lift it for the pool). Transaction state stays with its connection there, because
 * the socket server runs one connection's transaction to its end before another's statements. One rule on every
 * database keeps one code path, and it holds whichever user the URL names: the owner (which must be a member of
 * `numbers_app`) or `numbers_app` itself.
 */
export class AppRoleClient extends pg.Client {
  /** What follows `begin` in each transaction (a simple query); none for the owner's client. */
  protected readonly enterRole: string | null = `set local role ${APP_ROLE}`;

  /** The `begin` of a transaction whose first statement has not come yet, and so is not sent yet. */
  private opening: string | undefined;
  /**
   * Statements waiting to go with the transaction's next one: its settings (`select set_config(…)`) before its first
   * statement, and statements marked `withNext`.
   */
  private waiting: string[] = [];

  // One signature for all of `pg.Client.query`'s overloads; what it returns is what the base class returns.
  override query(...args: unknown[]): never {
    const [first] = args;
    const base = super.query as (...a: unknown[]) => unknown;
    if (typeof (first as { submit?: unknown } | undefined)?.submit === 'function') {
      // A cursor or stream (returned as is, synchronously): it must run in a transaction the caller opened.
      if (this.getTransactionStatus() === 'I' || this.opening !== undefined || this.waiting.length > 0) {
        // With its `begin` still unsent, the stream would go before the opening and the role switch.
        throw new Error(
          'AppRoleClient: open a transaction and run a statement in it before streaming a query',
        );
      }
      return base.apply(this, args) as never;
    }
    // pg-pool's `pool.query()` passes a callback: answer it from the promise.
    const callback =
      typeof args.at(-1) === 'function'
        ? (args.pop() as (error: unknown, result?: unknown) => void)
        : undefined;
    const result = this.queryAsAppRole(args, () => base.apply(this, args) as Promise<unknown>);
    if (!callback) return result as never;
    result.then(
      (value) => callback(undefined, value),
      (error: unknown) => callback(error),
    );
    return undefined as never;
  }

  private async queryAsAppRole(args: unknown[], send: () => Promise<unknown>): Promise<unknown> {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    const simple = typeof first === 'string' && args.length <= 2 && isEmpty(args[1]);
    if (simple && typeof text === 'string' && text.startsWith(WITH_NEXT) && this.inOpenTransaction()) {
      this.waiting.push(text);
      return synthetic('SELECT');
    }
    if (this.opening !== undefined) return this.firstInTransaction(this.opening, text, simple, send);
    if (this.getTransactionStatus() !== 'I') {
      return this.waiting.length > 0 ? this.withWaiting(text, simple, send) : send();
    }
    if (typeof text === 'string' && STARTS_TRANSACTION.test(text)) {
      this.clearWaiting();
      if (this.enterRole === null) return send();
      if (simple && !text.includes(';')) {
        // Sent with the transaction's first statement (one round trip instead of two or three), answered now as
        // the server answers a `begin`.
        this.opening = text;
        return { command: 'BEGIN', rowCount: null, oid: null, rows: [], fields: [] };
      }
      if (simple) return this.openingWithStatements(text);
      const result = await send();
      await this.raw(this.enterRole).catch(async (error: unknown) => {
        // Never hand back a connection whose transaction is open (and failed) without the role.
        await this.raw('rollback').catch(() => undefined);
        throw error;
      });
      return result;
    }
    const begin = this.enterRole === null ? 'begin' : `begin; ${this.enterRole}`;
    if (simple && typeof text === 'string') return this.wrapped(begin, text);
    await this.raw(begin);
    let result: unknown;
    try {
      result = await send();
    } catch (error) {
      await this.raw('rollback').catch(() => undefined);
      throw error;
    }
    await this.raw('commit');
    return result;
  }

  /**
   * The first statement of a transaction whose `begin` is not sent yet: sent after the opening and the role switch,
   * in the same round trip when it is a text without parameters. A `commit` or `rollback` with nothing before it
   * ends a transaction the server never saw. When the round trip fails, the transaction is left failed (nothing
   * after the failure ran, and nothing runs until a `rollback`), as any failed statement of a transaction leaves it:
   * its caller, told `BEGIN`, rolls back. The failure is answered once the server's status is known, so that the
   * `rollback` is sent as the transaction's and not wrapped as a statement outside any.
   */
  private async firstInTransaction(
    opening: string,
    text: unknown,
    simple: boolean,
    send: () => Promise<unknown>,
  ): Promise<unknown> {
    const end = endOf(text);
    // Settings alone need not be sent when nothing follows them; a statement marked `withNext` must be.
    const workWaits = this.waiting.some((statement) => statement.startsWith(WITH_NEXT));
    if (end === 'rollback' || (end === 'commit' && !workWaits)) {
      // Nothing to send: the transaction wrote nothing the server has to see (settings alone, or a rollback).
      this.opening = undefined;
      this.clearWaiting();
      return synthetic(end === 'commit' ? 'COMMIT' : 'ROLLBACK');
    }
    if (simple && typeof text === 'string' && SETS_CONFIG.test(text)) {
      // The tenant's `app.tenant_id` and such: part of the opening, they wait with it for the first statement.
      this.waiting.push(text);
      return synthetic('SELECT');
    }
    const head = [opening, this.enterRole!, ...this.waiting];
    this.opening = undefined;
    this.clearWaiting();
    return this.after(head, text, simple, send);
  }

  /**
   * `text` sent after the statements of `head`, in the same round trip when it is a text without parameters, and
   * answered with its own results (one, or one per statement) without theirs. When the round trip fails, the
   * transaction is left failed, and the failure is answered once the server's status is known.
   */
  private async after(head: string[], text: unknown, simple: boolean, send: () => Promise<unknown>) {
    try {
      if (!simple || typeof text !== 'string') {
        await this.raw(head.join('; '));
        return await send();
      }
      const results = (await this.raw(`${head.join('; ')}; ${text}`)) as unknown[];
      const own = results.slice(head.length);
      return own.length === 1 ? own[0] : own;
    } catch (error) {
      await this.settled();
      throw error;
    }
  }

  /**
   * A statement of an open transaction after statements waiting for it (`withNext`): sent with them in one round trip
   * when it is a text without parameters (a `commit` included; a `rollback`, or one to a savepoint, drops them
   * instead), else after them.
   * The waiting statements' results are left out of its answer; a failure of any fails the transaction there.
   */
  private async withWaiting(text: unknown, simple: boolean, send: () => Promise<unknown>): Promise<unknown> {
    const waiting = this.waiting;
    this.clearWaiting();
    if (endOf(text) === 'rollback') return send();
    if (typeof text === 'string' && ROLLS_BACK_TO_SAVEPOINT.test(text)) return send();
    return this.after(waiting, text, simple, send);
  }

  /** Inside a transaction the server may not have seen yet (its opening waiting), or one open and not failed. */
  private inOpenTransaction(): boolean {
    return this.opening !== undefined || this.getTransactionStatus() === 'T';
  }

  private clearWaiting(): void {
    this.waiting = [];
  }

  /**
   * Waits for the server's ReadyForQuery when it has not come yet: pg answers a failed query as soon as the error
   * arrives, and updates the transaction status only with the ReadyForQuery that follows it.
   */
  private async settled(): Promise<void> {
    const self = this as unknown as {
      readyForQuery: boolean;
      _ended?: boolean;
      _ending?: boolean;
      _queryable?: boolean;
      connection: EventEmitter;
    };
    // A connection that ended (or lost its socket) sends no ReadyForQuery again: nothing to wait for.
    if (self.readyForQuery || self._ended || self._ending || self._queryable === false) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        for (const event of ['readyForQuery', 'end', 'error']) self.connection.off(event, done);
        resolve();
      };
      for (const event of ['readyForQuery', 'end', 'error']) self.connection.on(event, done);
    });
  }

  /**
   * A text outside any transaction, in one of its own, in one round trip: `begin[; set local role …]; <text>; commit`,
   * answered with the text's results. When it fails the transaction is rolled back (nothing after the failure ran,
   * the `commit` included) before the failure is answered.
   */
  private async wrapped(begin: string, text: string): Promise<unknown> {
    const opening = begin.split(';').length;
    try {
      const results = (await this.raw(`${begin}; ${text}; commit`)) as unknown[];
      const own = results.slice(opening, -1);
      return own.length === 1 ? own[0] : own;
    } catch (error) {
      await this.settled();
      if (this.getTransactionStatus() !== 'I') await this.raw('rollback').catch(() => undefined);
      throw error;
    }
  }

  /** `begin; <statements>`: the role switch goes right after the opening, in the same round trip. */
  private async openingWithStatements(text: string): Promise<unknown> {
    const end = text.indexOf(';');
    const opening = text.slice(0, end);
    if (!PLAIN_OPENING.test(opening)) {
      throw new Error('AppRoleClient: a text that opens a transaction must open it with a plain begin');
    }
    const results = (await this.raw(`${opening}; ${this.enterRole};${text.slice(end + 1)}`).catch(
      async (error: unknown) => {
        // As for a first statement: its caller's rollback is to go as the failed transaction's.
        await this.settled();
        throw error;
      },
    )) as unknown[];
    return [results[0], ...results.slice(2)];
  }

  private raw(sql: string): Promise<unknown> {
    return (super.query as (text: string) => Promise<unknown>).call(this, sql);
  }
}

/**
 * The `pg` client of the owner's ORM (migrations): statements run as the URL's user, and each statement outside a
 * transaction is wrapped in one, as `AppRoleClient` does and for the same reason: on the embedded database a
 * statement with parameters outside a transaction goes as several protocol messages, between which another
 * connection's statements may run on the one shared backend and replace its unnamed prepared statement.
 */
export class OwnerClient extends AppRoleClient {
  protected override readonly enterRole = null;
}
