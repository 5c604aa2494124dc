import { Migration } from '@mikro-orm/migrations';
import { CROSS_TENANT, grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * A refused purchase ends `refused`, with why (`refusal`), holding nothing. And a claim on an E.164 number, taken
 * and committed before Twilio is asked to sell it, so that no two purchases of ours ever try the same number at
 * once: whoever holds a live claim (or a live number) has it; a claim expires so that a purchase that died with
 * one does not keep the number from everyone. Claims are cross-tenant by nature: they are taken only through one
 * narrow security-definer function, and the application may not touch the table otherwise.
 */
export class Migration20261201150000PurchaseClaimsAndRefusals extends Migration {
  override name = 'Migration20261201150000PurchaseClaimsAndRefusals';

  override up(): void {
    this.addSql(`
      alter table phone_number add column refusal jsonb;
      alter table phone_number drop constraint phone_number_status_check;
      alter table phone_number add constraint phone_number_status_check
        check (status in ('purchasing', 'registering', 'activating', 'active', 'refused', 'failed', 'released'));

      create table number_claim (
        e164 varchar(16) primary key,
        number_id uuid not null,
        expires_at timestamptz not null
      );
      revoke all on number_claim from public;
    `);
    this.addSql(`
      create function claim_number_for_purchase(p_e164 text, p_number_id uuid, p_ttl_ms integer)
        returns boolean
        language plpgsql volatile ${CROSS_TENANT} as $$
        begin
          -- A number one of ours holds live is never bought again.
          if exists (select 1 from phone_number
                      where e164 = p_e164 and status <> 'released' and id <> p_number_id) then
            return false;
          end if;
          -- Taken when free, already ours (an attempt after a crash claims again), expired, or left by a purchase
          -- that is over (bought, refused or failed: what it bought, its number holds).
          insert into number_claim as c (e164, number_id, expires_at)
            values (p_e164, p_number_id, now() + make_interval(secs => p_ttl_ms / 1000.0))
            on conflict (e164) do update set number_id = excluded.number_id, expires_at = excluded.expires_at
              where c.number_id = excluded.number_id
                 or c.expires_at < now()
                 or not exists (select 1 from phone_number n where n.id = c.number_id and n.status = 'purchasing');
          return found;
        end
      $$;
      ${grantToApp('claim_number_for_purchase(text, uuid, integer)')}
    `);
  }

  override down(): void {
    this.addSql('drop function claim_number_for_purchase(text, uuid, integer);');
    this.addSql('drop table number_claim;');
    this.addSql(`
      alter table phone_number drop constraint phone_number_status_check;
      alter table phone_number add constraint phone_number_status_check
        check (status in ('purchasing', 'registering', 'activating', 'active', 'failed', 'released'));
      alter table phone_number drop column refusal;
    `);
  }
}
