import { Migration } from '@mikro-orm/migrations';

/**
 * `number_changed`: every insert or update of a `phone_number` row notifies this channel (PostgreSQL `NOTIFY`,
 * delivered at the commit, never for a rolled-back change) with `{"tenantId","numberId","status"}`, so that whatever
 * waits on a number (the click's answer, a stream of its steps) wakes on any instance (see `NumberChanges`).
 */
export class Migration20261202100000NumberChangedNotifications extends Migration {
  override name = 'Migration20261202100000NumberChangedNotifications';

  override up(): void {
    this.addSql(`
      create function phone_number_changed() returns trigger
        language plpgsql set search_path = pg_catalog, public, pg_temp as $$
        begin
          perform pg_notify('number_changed',
            json_build_object('tenantId', new.tenant_id, 'numberId', new.id, 'status', new.status)::text);
          return null;
        end
      $$;
      create trigger phone_number_changed after insert or update on phone_number
        for each row execute function phone_number_changed();
    `);
  }

  override down(): void {
    this.addSql(`
      drop trigger phone_number_changed on phone_number;
      drop function phone_number_changed();
    `);
  }
}
