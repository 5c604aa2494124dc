import { Migration } from '@mikro-orm/migrations';
import { grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * A purchase's reservation in one statement (`TenantQuotas.reservePurchase`): the tenant's lock, the replay check,
 * the count of its live numbers, the count of its purchases in the window and the purchase's row, in that order and
 * each with a snapshot of its own taken after the lock (a volatile PL/pgSQL function: each statement in it sees what
 * was committed when it starts), so a purchase that held the lock before is seen whole. It runs as its caller
 * (security invoker), under the caller's tenant and its row-level security. The live numbers are counted by the
 * caller's query (`p_count_live`, the tenant's id as `$1`): what makes a number live is the numbers' to say.
 */
export class Migration20261204100000PurchaseReservationInOneStatement extends Migration {
  override name = 'Migration20261204100000PurchaseReservationInOneStatement';

  override up(): void {
    this.addSql(`
      create function reserve_purchase(
        p_lock_namespace integer,
        p_tenant_id text,
        p_idempotency_key text,
        p_count_live text,
        p_max_numbers integer,
        p_per_window integer,
        p_window_secs integer
      ) returns table (outcome text, retry_after double precision)
        language plpgsql volatile set search_path = pg_catalog, public, pg_temp as $$
        declare
          v_live integer;
          v_started integer;
          v_wait double precision;
        begin
          -- Held until the caller's transaction ends: the purchase it records counts for the next one.
          perform pg_advisory_xact_lock(p_lock_namespace, hashtext(p_tenant_id));
          -- A replay of a request already recorded is let through and not counted.
          if p_idempotency_key is not null and exists (
            select 1 from tenant_purchase where tenant_id = p_tenant_id::uuid and idempotency_key = p_idempotency_key
          ) then
            return query select 'replayed'::text, null::double precision;
            return;
          end if;
          execute p_count_live into v_live using p_tenant_id::uuid;
          if v_live >= p_max_numbers then
            return query select 'at-limit'::text, null::double precision;
            return;
          end if;
          select count(*)::int,
                 extract(epoch from min(created_at) + make_interval(secs => p_window_secs) - clock_timestamp())::float8
            into v_started, v_wait
            from tenant_purchase
           where tenant_id = p_tenant_id::uuid and created_at > clock_timestamp() - make_interval(secs => p_window_secs);
          if v_started >= p_per_window then
            return query select 'rate-limited'::text, v_wait;
            return;
          end if;
          insert into tenant_purchase (id, tenant_id, idempotency_key, created_at)
            values (gen_random_uuid(), p_tenant_id::uuid, p_idempotency_key, clock_timestamp());
          return query select 'reserved'::text, null::double precision;
        end
      $$;
      ${grantToApp('reserve_purchase(integer, text, text, text, integer, integer, integer)')}
    `);
  }

  override down(): void {
    this.addSql('drop function reserve_purchase(integer, text, text, text, integer, integer, integer);');
  }
}
