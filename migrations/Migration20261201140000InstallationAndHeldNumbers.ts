import { Migration } from '@mikro-orm/migrations';
import { CROSS_TENANT, grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * Two things outside the tenants' tables:
 *
 * - `installation`: one row, a random id written once when this database is first migrated. State kept outside
 *   the database on its behalf (the in-process sandbox's emulated Twilio account and Vapi organisation) is keyed
 *   by it, so that a database dropped and created again, whose id is new, never finds what the old one bought.
 * - `phone_numbers_held(text[])`: which of these E.164 numbers any tenant holds (live, not released) or is
 *   buying (asked for by name, purchase in flight), so that a search never offers them. One of the narrow functions
 *   (`CROSS_TENANT`: security definer, fixed search path, callable by numbers_app alone), like
 *   `phone_number_is_held`, instead of lifting row-level security.
 */
export class Migration20261201140000InstallationAndHeldNumbers extends Migration {
  override name = 'Migration20261201140000InstallationAndHeldNumbers';

  override up(): void {
    this.addSql(`
      create table installation (
        id uuid primary key,
        created_at timestamptz not null default now(),
        one_row boolean not null default true unique check (one_row)
      );
      insert into installation (id) values (gen_random_uuid());
      grant select on installation to numbers_app;
    `);
    this.addSql(`
      create function phone_numbers_held(p_e164s text[])
        returns setof text
        language sql stable ${CROSS_TENANT} as $$
          select n.e164 from phone_number n
           where n.e164 = any (p_e164s) and n.status <> 'released'
          union
          select n.requested_number from phone_number n
           where n.requested_number = any (p_e164s) and n.status = 'purchasing'
        $$;
      ${grantToApp('phone_numbers_held(text[])')}
    `);
  }

  override down(): void {
    this.addSql('drop function phone_numbers_held(text[]);');
    this.addSql('drop table installation;');
  }
}
