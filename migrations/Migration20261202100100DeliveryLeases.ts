import { Migration } from '@mikro-orm/migrations';
import { CROSS_TENANT, grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * What lets a delivery's claim be a short lease, and the relays wake at once:
 *
 * - `outbox_due`: every statement that inserts outbox deliveries notifies this channel, so that the relays of the
 *   other instances claim them at once rather than at their next poll.
 * - `outbox_renew_leases`: the relay's heartbeat; extends the leases it still holds (same delivery, same claim
 *   token, still pending) and answers which, so that a relay learns which it has lost.
 * - `outbox_claim_deliveries` claims in a CTE (the rows locked once, `SKIP LOCKED`), never a delivery this relay
 *   is running itself (`p_running`).
 * - A failed delivery may be `superseded` (its step was retried from a new event): settled, no longer counted as
 *   failed, pruned like a delivered one.
 * - `phone_numbers_held` also reads the live purchase claims, so that a number being bought is never offered.
 */
export class Migration20261202100100DeliveryLeases extends Migration {
  override name = 'Migration20261202100100DeliveryLeases';

  override up(): void {
    this.addSql(`
      create function outbox_delivery_due() returns trigger
        language plpgsql set search_path = pg_catalog, public, pg_temp as $$
        begin
          perform pg_notify('outbox_due', '');
          return null;
        end
      $$;
      create trigger outbox_delivery_due after insert on outbox_delivery
        for each statement execute function outbox_delivery_due();
    `);
    this.addSql(`
      alter table outbox_delivery drop constraint outbox_delivery_status_check;
      alter table outbox_delivery add constraint outbox_delivery_status_check
        check (status in ('pending', 'delivered', 'failed', 'superseded'));
    `);
    this.addSql(`
      drop function outbox_claim_deliveries(uuid, timestamptz, timestamptz, integer);
      create function outbox_claim_deliveries(
        p_token uuid, p_now timestamptz, p_claimed_until timestamptz, p_limit integer, p_running uuid[])
        returns table (id uuid, event_id uuid, subscriber varchar, attempts integer, last_error jsonb,
                       type varchar, tenant_id uuid, occurred_at timestamptz, payload jsonb)
        language sql volatile ${CROSS_TENANT} as $$
          with due as (
            select o.id from outbox_delivery o
             where o.status = 'pending' and o.next_attempt_at <= p_now
               and (o.claimed_until is null or o.claimed_until <= p_now)
               and o.id <> all (p_running)
             order by o.next_attempt_at, o.id
             limit p_limit
             for update skip locked)
          update outbox_delivery d
             set claimed_until = p_claimed_until, claim_token = p_token, attempts = d.attempts + 1,
                 updated_at = p_now
            from due, outbox_event e
           where d.id = due.id and e.id = d.event_id
          returning d.id, d.event_id, d.subscriber, d.attempts, d.last_error,
                    e.type, e.tenant_id, e.occurred_at, e.payload
        $$;
      ${grantToApp('outbox_claim_deliveries(uuid, timestamptz, timestamptz, integer, uuid[])')}

      create function outbox_renew_leases(p_ids uuid[], p_tokens uuid[], p_until timestamptz)
        returns setof uuid
        language sql volatile ${CROSS_TENANT} as $$
          update outbox_delivery d
             set claimed_until = p_until
            from unnest(p_ids, p_tokens) as lease(id, token)
           where d.id = lease.id and d.claim_token = lease.token and d.status = 'pending'
          returning d.id
        $$;
      ${grantToApp('outbox_renew_leases(uuid[], uuid[], timestamptz)')}

      ${pruneFunction("'delivered', 'superseded'")}
      ${heldFunction(true)}
    `);
  }

  override down(): void {
    this.addSql(`
      ${heldFunction(false)}
      ${pruneFunction("'delivered'")}
      drop function outbox_renew_leases(uuid[], uuid[], timestamptz);
      drop function outbox_claim_deliveries(uuid, timestamptz, timestamptz, integer, uuid[]);
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
      update outbox_delivery set status = 'failed' where status = 'superseded';
      alter table outbox_delivery drop constraint outbox_delivery_status_check;
      alter table outbox_delivery add constraint outbox_delivery_status_check
        check (status in ('pending', 'delivered', 'failed'));
      drop trigger outbox_delivery_due on outbox_delivery;
      drop function outbox_delivery_due();
    `);
  }
}

/** Deletes old events whose every delivery is settled (`settled`: the statuses that count as settled). */
function pruneFunction(settled: string): string {
  return `
    create or replace function outbox_prune(p_before timestamptz) returns integer
      language sql volatile ${CROSS_TENANT} as $$
        with pruned as (
          delete from outbox_event e
           where e.recorded_at < p_before
             and not exists (select 1 from outbox_delivery d
                              where d.event_id = e.id and d.status not in (${settled}))
          returning 1)
        select count(*)::integer from pruned
      $$;`;
}

/** Which of these numbers a tenant holds or is buying; `withClaims`: the live purchase claims count too. */
function heldFunction(withClaims: boolean): string {
  const claims = `
        union
        select c.e164 from number_claim c
         where c.e164 = any (p_e164s) and c.expires_at > now()
           and exists (select 1 from phone_number n where n.id = c.number_id and n.status = 'purchasing')`;
  return `
    create or replace function phone_numbers_held(p_e164s text[])
      returns setof text
      language sql stable ${CROSS_TENANT} as $$
        select n.e164 from phone_number n
         where n.e164 = any (p_e164s) and n.status <> 'released'
        union
        select n.requested_number from phone_number n
         where n.requested_number = any (p_e164s) and n.status = 'purchasing'${withClaims ? claims : ''}
      $$;`;
}
