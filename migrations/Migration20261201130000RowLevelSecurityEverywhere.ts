import { Migration } from '@mikro-orm/migrations';

/**
 * Every table with a `tenant_id` when this migration was written that did not force its policy yet (the billing and
 * analytics tables do since they were made); a later migration isolates its own table.
 */
const TENANT_TABLES = [
  'project',
  'agent',
  'tenant_purchase',
  'phone_number',
  'outbox_event',
  'outbox_delivery',
  'idempotency_key',
];

/** What the narrow functions below set for their own duration, and the policies recognise. */
export const CROSS_TENANT_MARK = 'numbers.cross-tenant';

/**
 * The condition of every tenant-isolation policy: the row belongs to the transaction's tenant, or the statement
 * runs inside one of the narrow security-definer functions below, as the tables' owner. `FORCE ROW LEVEL
 * SECURITY` subjects the owner to the policies too (unless it is a superuser), so without this a non-superuser
 * owner's functions would see nothing; an owner's statement outside them sees no tenant's rows either.
 *
 * The functions mark themselves with `SET application_name` (restored when they return): a custom setting such as
 * `app.cross_tenant` cannot be fixed in a function by a non-superuser since PostgreSQL 15, `application_name` can.
 * The application's role may set it as well, but is not the owner.
 */
export function tenantIsolation(table: string): string {
  const condition = `
    tenant_id = nullif(pg_catalog.current_setting('app.tenant_id', true), '')::uuid
    or (pg_catalog.current_setting('application_name') = '${CROSS_TENANT_MARK}'
        and current_user = (select pg_catalog.pg_get_userbyid(c.relowner)
                              from pg_catalog.pg_class c where c.oid = '${table}'::regclass))`;
  return `
    alter table ${table} enable row level security;
    alter table ${table} force row level security;
    drop policy if exists ${table}_tenant_isolation on ${table};
    create policy ${table}_tenant_isolation on ${table} using (${condition}) with check (${condition});
  `;
}

/**
 * What makes a function of the narrow kind: runs as its owner, with a search path that no caller can shadow
 * (`pg_catalog` first, `pg_temp` last), marked so that the policies admit it across tenants (see
 * `tenantIsolation`).
 */
export const CROSS_TENANT = `security definer set search_path = pg_catalog, public, pg_temp set application_name = '${CROSS_TENANT_MARK}'`;

/** Only the application's role may call `fn` (a signature such as `outbox_prune(timestamptz)`). */
export function grantToApp(fn: string): string {
  return `revoke all on function ${fn} from public; grant execute on function ${fn} to numbers_app;`;
}

/**
 * Row-level security applies to everything the application runs: the application's statements run as
 * `numbers_app` (never the owner), every table with a `tenant_id` forces its policy (the owner included), and the
 * work that must span tenants goes through one narrow function per need instead of a role that sees everything.
 */
export class Migration20261201130000RowLevelSecurityEverywhere extends Migration {
  override name = 'Migration20261201130000RowLevelSecurityEverywhere';

  override up(): void {
    for (const table of TENANT_TABLES) this.addSql(tenantIsolation(table));

    // Tenants: created or found by their external id only; the application reads no other tenant.
    this.addSql('revoke all on tenant from numbers_app;');
    this.addSql(`
      create function tenant_ensure(p_external_id text) returns uuid
        language sql volatile ${CROSS_TENANT} as $$
          insert into tenant (id, external_id) values (gen_random_uuid(), p_external_id)
            on conflict (external_id) do nothing;
          select id from tenant where external_id = p_external_id;
        $$;
      ${grantToApp('tenant_ensure(text)')}
    `);
    // Readiness compares the applied migrations with the code's.
    this.addSql('grant select on mikro_orm_migrations to numbers_app;');

    // The webhook's number lookup and the purchase's "held by anyone" check keep their bodies, now with the path
    // fixed the narrow way and the mark that admits them under FORCE.
    for (const fn of ['resolve_vapi_number(text, text)', 'phone_number_is_held(text)']) {
      this.addSql(`alter function ${fn} ${CROSS_TENANT}; ${grantToApp(fn)}`);
    }

    // The outbox relay claims due deliveries of every tenant; it writes each outcome in the event's tenant scope.
    this.addSql(`
      create function outbox_claim_deliveries(
        p_token uuid, p_now timestamptz, p_claimed_until timestamptz, p_limit integer)
        returns table (id uuid, event_id uuid, subscriber varchar, attempts integer, last_error jsonb,
                       type varchar, tenant_id uuid, occurred_at timestamptz, payload jsonb)
        language sql volatile ${CROSS_TENANT} as $$
          update outbox_delivery d
             set claimed_until = p_claimed_until, claim_token = p_token, attempts = d.attempts + 1,
                 updated_at = p_now
            from outbox_event e
           where e.id = d.event_id
             and d.id in (select o.id from outbox_delivery o
                           where o.status = 'pending' and o.next_attempt_at <= p_now
                             and (o.claimed_until is null or o.claimed_until <= p_now)
                           order by o.next_attempt_at, o.id
                           limit p_limit
                           for update skip locked)
          returning d.id, d.event_id, d.subscriber, d.attempts, d.last_error,
                    e.type, e.tenant_id, e.occurred_at, e.payload
        $$;
      ${grantToApp('outbox_claim_deliveries(uuid, timestamptz, timestamptz, integer)')}
    `);
    // Readiness and metrics: counts by subscriber, no rows.
    this.addSql(`
      create function outbox_backlog()
        returns table (subscriber varchar, pending bigint, failed bigint, oldest timestamptz)
        language sql stable ${CROSS_TENANT} as $$
          select d.subscriber,
                 count(*) filter (where d.status = 'pending'),
                 count(*) filter (where d.status = 'failed'),
                 min(d.created_at) filter (where d.status = 'pending')
            from outbox_delivery d
           where d.status in ('pending', 'failed')
           group by d.subscriber
        $$;
      ${grantToApp('outbox_backlog()')}
    `);
    // Operations: what is pending or failed and why (no payloads), re-arming failed deliveries, pruning.
    this.addSql(`
      create function outbox_deliveries(p_event_id uuid, p_subscriber text, p_status text)
        returns table (id uuid, event_id uuid, type varchar, tenant_id uuid, subscriber varchar, status varchar,
                       attempts integer, next_attempt_at timestamptz, last_error jsonb,
                       delivered_at timestamptz, failed_at timestamptz, updated_at timestamptz)
        language sql stable ${CROSS_TENANT} as $$
          select d.id, d.event_id, e.type, d.tenant_id, d.subscriber, d.status, d.attempts, d.next_attempt_at,
                 d.last_error, d.delivered_at, d.failed_at, d.updated_at
            from outbox_delivery d join outbox_event e on e.id = d.event_id
           where (p_event_id is null or d.event_id = p_event_id)
             and (p_subscriber is null or d.subscriber = p_subscriber)
             and (p_status is null or d.status = p_status)
           order by e.position desc, d.subscriber
        $$;
      ${grantToApp('outbox_deliveries(uuid, text, text)')}
      create function outbox_retry(p_subscriber text, p_event_id uuid, p_now timestamptz) returns integer
        language sql volatile ${CROSS_TENANT} as $$
          with rearmed as (
            update outbox_delivery
               set status = 'pending', attempts = 0, next_attempt_at = p_now, failed_at = null, updated_at = p_now
             where status = 'failed' and subscriber = p_subscriber
               and (p_event_id is null or event_id = p_event_id)
            returning 1)
          select count(*)::integer from rearmed
        $$;
      ${grantToApp('outbox_retry(text, uuid, timestamptz)')}
      create function outbox_prune(p_before timestamptz) returns integer
        language sql volatile ${CROSS_TENANT} as $$
          with pruned as (
            delete from outbox_event e
             where e.recorded_at < p_before
               and not exists (select 1 from outbox_delivery d where d.event_id = e.id and d.status <> 'delivered')
            returning 1)
          select count(*)::integer from pruned
        $$;
      ${grantToApp('outbox_prune(timestamptz)')}
    `);
    // A consumer's replay: which tenants have events in the log, and since when; each tenant's events are then read
    // in that tenant's scope.
    this.addSql(`
      create function outbox_log_tenants() returns table (tenant_id uuid, since timestamptz)
        language sql stable ${CROSS_TENANT} as $$
          select e.tenant_id, min(e.recorded_at) from outbox_event e group by e.tenant_id order by e.tenant_id
        $$;
      ${grantToApp('outbox_log_tenants()')}
    `);
    // Idempotency keys are read and written in their tenant's scope; only the expiry sweep spans tenants.
    this.addSql(`
      create function idempotency_prune(p_now timestamptz) returns integer
        language sql volatile ${CROSS_TENANT} as $$
          with pruned as (delete from idempotency_key where expires_at <= p_now returning 1)
          select count(*)::integer from pruned
        $$;
      ${grantToApp('idempotency_prune(timestamptz)')}
    `);
  }

  override down(): void {
    this.addSql(`
      drop function idempotency_prune(timestamptz);
      drop function outbox_log_tenants();
      drop function outbox_prune(timestamptz);
      drop function outbox_retry(text, uuid, timestamptz);
      drop function outbox_deliveries(uuid, text, text);
      drop function outbox_backlog();
      drop function outbox_claim_deliveries(uuid, timestamptz, timestamptz, integer);
      drop function tenant_ensure(text);
      alter function resolve_vapi_number(text, text) reset all;
      alter function resolve_vapi_number(text, text) set search_path = public;
      alter function phone_number_is_held(text) reset all;
      alter function phone_number_is_held(text) set search_path = public;
      revoke select on mikro_orm_migrations from numbers_app;
      grant select, insert on tenant to numbers_app;
    `);
    const current = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;
    for (const table of TENANT_TABLES) {
      this.addSql(`alter table ${table} no force row level security;`);
      this.addSql(`drop policy ${table}_tenant_isolation on ${table};`);
    }
    for (const table of ['project', 'agent', 'tenant_purchase', 'phone_number']) {
      this.addSql(
        `create policy ${table}_tenant_isolation on ${table} using (${current}) with check (${current});`,
      );
    }
    for (const table of ['outbox_event', 'outbox_delivery', 'idempotency_key']) {
      this.addSql(`alter table ${table} disable row level security;`);
    }
  }
}
