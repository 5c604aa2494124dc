import { Migration } from '@mikro-orm/migrations';
import { CROSS_TENANT, grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * The reconciliation of Twilio, Vapi and our records (`src/numbers/reconcile/`):
 *
 * - a number Twilio no longer has is `degraded`;
 * - `reconciliation_lease`: one row saying which instance reconciles now (until when) and when the next scheduled
 *   run is due, so that one instance at a time runs it and the schedule survives restarts. It holds no tenant's
 *   data (the reports are printed and logged, not kept), so it needs no row-level security;
 * - two narrow functions of the cross-tenant kind (`CROSS_TENANT`), since a reconciliation compares the providers'
 *   whole listings with every tenant's numbers: `reconcile_active_numbers` pages through the active numbers we
 *   bought (an imported number lives in the customer's Twilio account or carrier, not ours to reconcile) and
 *   `reconcile_numbers_matching` finds the rows a page of a provider's listing names, each answering only ids,
 *   tenants, statuses (whether a released number is in its grace period) and the providers' keys; every repair
 *   then runs in the number's tenant scope;
 * - `phone_number_degraded_count()`, the gauge of degraded numbers across tenants.
 */
export class Migration20261202130000NumberReconciliation extends Migration {
  override name = 'Migration20261202130000NumberReconciliation';

  override up(): void {
    this.addSql(`
      alter table phone_number drop constraint phone_number_status_check;
      alter table phone_number add constraint phone_number_status_check
        check (status in ('purchasing', 'registering', 'activating', 'active', 'refused', 'failed', 'degraded',
                          'releasing', 'released', 'restoring'));

      create table reconciliation_lease (
        one_row boolean primary key default true check (one_row),
        holder text,
        lease_until timestamptz,
        next_run_at timestamptz not null default now(),
        last_started_at timestamptz,
        last_finished_at timestamptz
      );
      insert into reconciliation_lease (one_row) values (true);
      grant select, update on reconciliation_lease to numbers_app;
    `);
    this.addSql(`
      create function reconcile_active_numbers(p_after uuid, p_limit integer)
        returns table (id uuid, tenant_id uuid, e164 text, twilio_sid text, vapi_number_id text)
        language sql stable ${CROSS_TENANT} as $$
          select n.id, n.tenant_id, n.e164, n.twilio_sid, n.vapi_number_id
            from phone_number n
           where n.status = 'active' and n.kind = 'purchased' and (p_after is null or n.id > p_after)
           order by n.id
           limit least(greatest(p_limit, 1), 1000)
        $$;
      ${grantToApp('reconcile_active_numbers(uuid, integer)')}

      create function reconcile_numbers_matching(p_ids uuid[], p_twilio_sids text[], p_vapi_ids text[])
        returns table (id uuid, tenant_id uuid, status text, kind text, e164 text, twilio_sid text,
                       vapi_number_id text, in_grace boolean)
        language sql stable ${CROSS_TENANT} as $$
          select n.id, n.tenant_id, n.status, n.kind, n.e164, n.twilio_sid, n.vapi_number_id,
                 n.status = 'released' and n.grace_until > now()
            from phone_number n
           where n.id = any (p_ids) or n.twilio_sid = any (p_twilio_sids) or n.vapi_number_id = any (p_vapi_ids)
        $$;
      ${grantToApp('reconcile_numbers_matching(uuid[], text[], text[])')}

      create function phone_number_degraded_count() returns bigint
        language sql stable ${CROSS_TENANT} as $$
          select count(*) from phone_number where status = 'degraded'
        $$;
      ${grantToApp('phone_number_degraded_count()')}

      create index phone_number_twilio_sid_idx on phone_number (twilio_sid) where twilio_sid is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index phone_number_twilio_sid_idx;
      drop function phone_number_degraded_count();
      drop function reconcile_numbers_matching(uuid[], text[], text[]);
      drop function reconcile_active_numbers(uuid, integer);
      drop table reconciliation_lease;
      update phone_number set status = 'failed' where status = 'degraded';
      alter table phone_number drop constraint phone_number_status_check;
      alter table phone_number add constraint phone_number_status_check
        check (status in ('purchasing', 'registering', 'activating', 'active', 'refused', 'failed',
                          'releasing', 'released', 'restoring'));
    `);
  }
}
