import { Migration } from '@mikro-orm/migrations';

/** The role the service's queries run as under row-level security; created by whichever migration runs first. */
export const CREATE_APP_ROLE = `
  do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'numbers_app') then
      create role numbers_app nologin;
    end if;
  exception when duplicate_object or unique_violation then null;
  end $$;
`;

/**
 * The transactional outbox: an append-only event log and one delivery row per (event, subscriber).
 * They carry tenant_id and are isolated by row-level security since Migration20261201130000RowLevelSecurityEverywhere;
 * the relay reads across tenants through narrow functions.
 */
export class Migration20261124120000CreateOutbox extends Migration {
  override name = 'Migration20261124120000CreateOutbox';

  override up(): void {
    this.addSql(CREATE_APP_ROLE);
    this.addSql(`
      create table outbox_event (
        id uuid primary key,
        position bigint generated always as identity unique,
        type varchar(255) not null,
        tenant_id uuid not null,
        occurred_at timestamptz not null,
        recorded_at timestamptz not null,
        payload jsonb not null
      );
    `);
    this.addSql('create index outbox_event_recorded_at_idx on outbox_event (recorded_at);');
    this.addSql('create index outbox_event_type_position_idx on outbox_event (type, position);');
    this.addSql(`
      create table outbox_delivery (
        id uuid primary key,
        event_id uuid not null references outbox_event (id) on delete cascade,
        subscriber varchar(255) not null,
        tenant_id uuid not null,
        status varchar(16) not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
        attempts integer not null default 0,
        next_attempt_at timestamptz not null,
        claimed_until timestamptz,
        claim_token uuid,
        last_error jsonb,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        delivered_at timestamptz,
        failed_at timestamptz,
        constraint outbox_delivery_event_subscriber_unique unique (event_id, subscriber)
      );
    `);
    this.addSql(
      "create index outbox_delivery_due_idx on outbox_delivery (next_attempt_at) where status = 'pending';",
    );
    this.addSql(
      "create index outbox_delivery_failed_idx on outbox_delivery (subscriber) where status = 'failed';",
    );
    this.addSql('grant select, insert, update, delete on outbox_event, outbox_delivery to numbers_app;');
  }

  override down(): void {
    this.addSql('drop table outbox_delivery;');
    this.addSql('drop table outbox_event;');
  }
}
