import { Logger, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';

/**
 * What a listener receives: a notification's payload, or `null` when notifications may have been missed (the
 * listening connection was lost and is back): a listener then reads again whatever it waits on.
 */
export type NotificationListener = (payload: string | null) => void;

const CHANNEL = /^[a-z_][a-z0-9_]*$/;
const RECONNECT_MS = 1_000;

/**
 * PostgreSQL `LISTEN`/`NOTIFY` for the whole process, through ONE connection of its own (not the pool's, not one
 * per waiter), opened at the first `listen` and re-opened when lost. A channel is listened to from its first
 * listener on. A notification is delivered at the commit of the transaction that sent it (`pg_notify` or a trigger:
 * see the migration `NumberChangedNotifications`), on every instance connected to the database, this one included.
 *
 * Code that knows a change committed in this process (a MikroORM commit hook) tells its own listeners itself, without
 * waiting for the round trip (see `NumberChanges`); the embedded database (PGlite behind pglite-socket, one backend
 * for every connection) does not pass notifications from one connection to another, so there that in-process
 * delivery is the only one (one process owns that database). A listener may therefore get the same change twice: a
 * notification means "this may have changed, read it", never the change itself.
 */
export class DatabaseNotifications implements OnModuleDestroy {
  private readonly logger = new Logger('DatabaseNotifications');
  private readonly listeners = new Map<string, Set<NotificationListener>>();
  private client?: Promise<pg.Client>;
  private closed = false;
  private retry?: NodeJS.Timeout;
  private readonly gone = new WeakSet<pg.Client>();

  /** `url`: the database's (the listening connection runs no statement but `LISTEN`, so any role will do). */
  constructor(private readonly url: string) {}

  /** Calls `listener` for every notification on `channel` until the returned function is called. */
  listen(channel: string, listener: NotificationListener): () => void {
    if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      void this.connection()
        .then((client) => client.query(`listen ${channel}`))
        .catch((error: unknown) => this.logger.warn({ err: error, channel }, 'listen failed; retrying'));
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private dispatch(channel: string, payload: string | null): void {
    for (const listener of this.listeners.get(channel) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error({ err: error, channel }, 'notification listener failed');
      }
    }
  }

  private connection(): Promise<pg.Client> {
    this.client ??= this.connect();
    return this.client;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    client.on('notification', ({ channel, payload }) => this.dispatch(channel, payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`listen ${channel}`);
    } catch (error) {
      this.lost(client, error);
      throw error;
    }
    return client;
  }

  /** The listening connection is gone: listeners re-read (they may have missed something); it comes back. */
  private lost(client: pg.Client, error?: unknown): void {
    if (this.closed || this.gone.has(client)) return;
    this.gone.add(client);
    if (error) this.logger.warn({ err: error }, 'the listening connection failed; reconnecting');
    void client.end().catch(() => undefined);
    this.client = undefined;
    for (const channel of this.listeners.keys()) this.dispatch(channel, null);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (!this.closed && this.listeners.size > 0) void this.connection().catch(() => undefined);
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
