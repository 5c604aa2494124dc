import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, JsonObject } from '../domain/domain-event.js';
import { OutboxSubscriberRegistry } from '../outbox/outbox-subscriber.registry.js';
import { TenantScopeRunner } from '../tenant-scope/tenant-scope.runner.js';
import { EventProjection } from './event-projection.js';

const PAGE = 500;

interface LogRow {
  id: string;
  position: string;
  type: string;
  tenant_id: string;
  occurred_at: Date | string;
  payload: JsonObject;
}

export interface ReplayResult {
  consumer: string;
  tenants: number;
  events: number;
  /** When the oldest event still in the log was recorded (older ones were pruned); null for an empty log. */
  logSince: Date | null;
}

/** Thrown for a consumer name that names no replayable consumer. */
export class UnknownProjectionError extends Error {
  constructor(name: string, known: string[]) {
    super(`No replayable consumer named "${name}" (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownProjectionError';
  }
}

/**
 * Rebuilds a consumer's tables from the event log (`outbox_event`, kept for `OUTBOX_RETENTION_DAYS`), tenant by
 * tenant: in one transaction in the tenant's scope, it takes the consumer's lock for the tenant, deletes the
 * tenant's rows of the consumer's tables and applied ids, then applies every event of the consumer's types in log
 * order with the same `applyOnce` as live delivery. Live deliveries wait for the lock meanwhile and then skip what
 * the replay applied, so the service may keep running.
 *
 * Only the list of tenants spans tenants (`log`); everything else runs in one tenant's scope.
 */
@Injectable()
export class ProjectionReplay {
  constructor(
    private readonly em: EntityManager,
    private readonly subscribers: OutboxSubscriberRegistry,
    private readonly tenantScope: TenantScopeRunner,
  ) {}

  projection(name: string): EventProjection {
    const handler = this.subscribers.get(name)?.handler;
    if (handler instanceof EventProjection) return handler;
    throw new UnknownProjectionError(name, this.names());
  }

  names(): string[] {
    return this.subscribers
      .all()
      .filter((s) => s.handler instanceof EventProjection)
      .map((s) => s.name);
  }

  async replay(name: string): Promise<ReplayResult> {
    const projection = this.projection(name);
    let events = 0;
    const { tenants, since } = await this.log();
    for (const tenantId of tenants) {
      events += await this.tenantScope.run(tenantId, () => this.replayTenant(projection, tenantId));
    }
    return { consumer: name, tenants: tenants.length, events, logSince: since };
  }

  private replayTenant(projection: EventProjection, tenantId: string): Promise<number> {
    return this.em.transactional(async (tx) => {
      await projection.lock(tx, tenantId);
      await projection.clear(tx, tenantId);
      const types = projection.events;
      let applied = 0;
      for (let after = '0'; ;) {
        const rows = await tx.execute<LogRow[]>(
          `select id, position, type, tenant_id, occurred_at, payload from outbox_event
            where tenant_id = ? and position > ? and type in (${types.map(() => '?').join(', ')})
            order by position limit ${PAGE}`,
          [tenantId, after, ...types],
        );
        for (const row of rows) {
          if (await projection.applyOnce(tx, envelopeOf(row))) applied += 1;
        }
        if (rows.length < PAGE) return applied;
        after = rows[rows.length - 1].position;
      }
    });
  }

  /**
   * The tenants with events in the log, and when the oldest event still there was recorded: the one read across
   * tenants, through the narrow `outbox_log_tenants` (no event is read but in its tenant's scope).
   */
  private async log(): Promise<{ tenants: string[]; since: Date | null }> {
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ tenant_id: string; since: Date | string }[]>('select * from outbox_log_tenants()');
    const oldest = Math.min(...rows.map((row) => new Date(row.since).getTime()));
    return { tenants: rows.map((row) => row.tenant_id), since: rows.length > 0 ? new Date(oldest) : null };
  }
}

function envelopeOf(row: LogRow): EventEnvelope {
  return {
    eventId: row.id,
    type: row.type,
    tenantId: row.tenant_id,
    occurredAt: new Date(row.occurred_at),
    payload: row.payload,
  };
}
