import { Migration } from '@mikro-orm/migrations';
import { grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * `outbox_settle_delivery`: a handler's transaction marks its delivery delivered, if the claim is still the caller's
 * (same delivery, same claim token, still pending), and fails the transaction otherwise (SQLSTATE `OB001`), so a
 * whole transaction sent as one text cannot commit the work of a lease another relay has taken over. It runs as its
 * caller (`security invoker`): the application's role, under the delivery's row-level security.
 */
export class Migration20261204010000OutboxSettleDelivery extends Migration {
  override name = 'Migration20261204010000OutboxSettleDelivery';

  override up(): void {
    this.addSql(`
      create function outbox_settle_delivery(p_id uuid, p_token uuid, p_at timestamptz) returns void
        language plpgsql volatile security invoker set search_path = pg_catalog, public, pg_temp as $$
        begin
          update outbox_delivery
             set status = 'delivered', delivered_at = p_at, claimed_until = null, claim_token = null,
                 updated_at = p_at
           where id = p_id and claim_token = p_token and status = 'pending';
          if not found then
            raise exception using errcode = 'OB001',
              message = format('the lease on outbox delivery %s is lost', p_id);
          end if;
        end
      $$;
      ${grantToApp('outbox_settle_delivery(uuid, uuid, timestamptz)')}
    `);
  }

  override down(): void {
    this.addSql('drop function outbox_settle_delivery(uuid, uuid, timestamptz);');
  }
}
