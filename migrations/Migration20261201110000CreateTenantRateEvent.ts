import { Migration } from '@mikro-orm/migrations';
import { CURRENT_TENANT } from './Migration20261124110000Tenancy.js';

/**
 * One row per rate-limited call a tenant made (a number search, an agent creation: each costs a provider call),
 * for the per-tenant sliding windows of `TenantQuotas`; rows older than the window are deleted as new ones come.
 * Isolated by row-level security, forced so that the table's owner is held to it too.
 */
export class Migration20261201110000CreateTenantRateEvent extends Migration {
  override name = 'Migration20261201110000CreateTenantRateEvent';

  override up(): void {
    this.addSql(`
      create table tenant_rate_event (
        id uuid primary key,
        tenant_id uuid not null references tenant (id),
        action varchar(32) not null,
        created_at timestamptz not null default now()
      );
      create index tenant_rate_event_window_idx on tenant_rate_event (tenant_id, action, created_at);
      alter table tenant_rate_event enable row level security;
      alter table tenant_rate_event force row level security;
      create policy tenant_rate_event_tenant_isolation on tenant_rate_event
        using (${CURRENT_TENANT})
        with check (${CURRENT_TENANT});
      grant select, insert, delete on tenant_rate_event to numbers_app;
    `);
  }

  override down(): void {
    this.addSql('drop table tenant_rate_event;');
  }
}
