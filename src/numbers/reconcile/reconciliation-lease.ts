import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** How long a lease holds without renewal: a reconciliation that died lets another take over after this. */
export const LEASE_TTL_MS = 120_000;

/**
 * The one-row `reconciliation_lease`: which instance reconciles now, and when the next scheduled run is due. A lease
 * rather than an advisory lock: it needs no transaction (or session) held open across the providers' calls, it
 * works alike on a server and on the embedded database (one backend shared by every connection, where a session
 * lock would be everyone's), and the due time it keeps survives restarts. Each statement is one short transaction.
 */
@Injectable()
export class ReconciliationLease {
  /** This process's name in the lease, for the operator reading the table. */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly em: EntityManager) {}

  /** Takes the lease unless another holds it; a scheduled run also waits until its due time. */
  async take(options: { scheduled: boolean }): Promise<boolean> {
    const rows = await this.execute(
      `update reconciliation_lease
          set holder = ?, lease_until = now() + make_interval(secs => ? / 1000.0), last_started_at = now()
        where (lease_until is null or lease_until < now()) and (not ? or next_run_at <= now())
        returning holder`,
      [this.holder, LEASE_TTL_MS, options.scheduled],
    );
    return rows.length === 1;
  }

  /** Extends the lease; false when it was lost (it expired and another took it): the run must stop. */
  async renew(): Promise<boolean> {
    const rows = await this.execute(
      `update reconciliation_lease set lease_until = now() + make_interval(secs => ? / 1000.0)
        where holder = ? and lease_until >= now() returning holder`,
      [LEASE_TTL_MS, this.holder],
    );
    return rows.length === 1;
  }

  /** Gives the lease back, and sets when the next scheduled run is due. */
  async release(intervalMinutes: number): Promise<void> {
    await this.execute(
      `update reconciliation_lease
          set holder = null, lease_until = null, last_finished_at = now(),
              next_run_at = now() + make_interval(mins => ?)
        where holder = ?`,
      [intervalMinutes, this.holder],
    );
  }

  private execute(sql: string, params: unknown[]): Promise<unknown[]> {
    return this.em.fork().getConnection().execute<unknown[]>(sql, params);
  }
}
