import { Migration } from '@mikro-orm/migrations';

/**
 * A relay claims the deliveries its own instance writes as they are written (`OutboxRelay.claimAtWrite`): such a row
 * is no other relay's to claim, so inserting it wakes no one. `outbox_due` is notified only when a statement inserts
 * at least one delivery that no relay holds yet.
 */
export class Migration20261203300000ClaimedAtWriteNotifyNoOne extends Migration {
  override name = 'Migration20261203300000ClaimedAtWriteNotifyNoOne';

  override up(): void {
    this.addSql(`
      drop trigger outbox_delivery_due on outbox_delivery;
      create or replace function outbox_delivery_due() returns trigger
        language plpgsql set search_path = pg_catalog, public, pg_temp as $$
        begin
          if exists (select 1 from inserted where claim_token is null) then
            perform pg_notify('outbox_due', '');
          end if;
          return null;
        end
      $$;
      create trigger outbox_delivery_due after insert on outbox_delivery
        referencing new table as inserted
        for each statement execute function outbox_delivery_due();
    `);
  }

  override down(): void {
    this.addSql(`
      drop trigger outbox_delivery_due on outbox_delivery;
      create or replace function outbox_delivery_due() returns trigger
        language plpgsql set search_path = pg_catalog, public, pg_temp as $$
        begin
          perform pg_notify('outbox_due', '');
          return null;
        end
      $$;
      create trigger outbox_delivery_due after insert on outbox_delivery
        for each statement execute function outbox_delivery_due();
    `);
  }
}
