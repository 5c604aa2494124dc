import pg from 'pg';

/**
 * The role every statement of the application runs as: it owns no table, is no superuser and cannot bypass
 * row-level security, so the policies apply to everything the application runs.
 */
export const APP_ROLE = 'numbers_app';

const STARTS_TRANSACTION = /^\s*(begin|start\s+transaction)\b/i;
const isEmpty = (values: unknown) => values === undefined || (Array.isArray(values) && values.length === 0);

/**
 * The `pg` client of the application's pool: every statement it sends runs inside a transaction whose first
 * statement is `set local role numbers_app`.
 *
 * - A statement that opens a transaction (`begin`, `start transaction`) is followed at once by the role switch, in
 *   the same round trip when it has no parameters.
 * - A statement outside any transaction is wrapped: `begin; set local role numbers_app`, the statement, `commit`
 *   (`rollback` when it fails).
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

  // One signature for all of `pg.Client.query`'s overloads; what it returns is what the base class returns.
  override query(...args: unknown[]): never {
    const [first] = args;
    const base = super.query as (...a: unknown[]) => unknown;
    if (typeof (first as { submit?: unknown } | undefined)?.submit === 'function') {
      // A cursor or stream (returned as is, synchronously): it must run in a transaction the caller opened.
      if (this.getTransactionStatus() === 'I') {
        throw new Error('AppRoleClient: open a transaction before streaming a query');
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
    if (this.getTransactionStatus() !== 'I') return send();
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string' && STARTS_TRANSACTION.test(text)) {
      if (this.enterRole === null) return send();
      if (typeof first === 'string' && args.length <= 2 && isEmpty(args[1]) && !text.includes(';')) {
        // One round trip instead of two: the opening and the role switch as one simple query (a text without
        // parameters), answered with the opening's result.
        const results = await this.raw(`${text}; ${this.enterRole}`).catch(async (error: unknown) => {
          if (this.getTransactionStatus() !== 'I') await this.raw('rollback').catch(() => undefined);
          throw error;
        });
        return Array.isArray(results) ? results[0] : results;
      }
      const result = await send();
      await this.raw(this.enterRole).catch(async (error: unknown) => {
        // Never hand back a connection whose transaction is open (and failed) without the role.
        await this.raw('rollback').catch(() => undefined);
        throw error;
      });
      return result;
    }
    await this.raw(this.enterRole === null ? 'begin' : `begin; ${this.enterRole}`);
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
