/** The condition of every tenant-isolation policy: the row belongs to the transaction's tenant. */
const CURRENT_TENANT = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * Row-level security for a consumer's table, forced (it applies to the table's owner too) so that no connection
 * reads or writes another tenant's rows by accident; the service's role gets the usual rights.
 */
export function isolatedConsumerTable(table: string): string {
  return `
    alter table ${table} enable row level security;
    alter table ${table} force row level security;
    create policy ${table}_tenant_isolation on ${table}
      using (${CURRENT_TENANT})
      with check (${CURRENT_TENANT});
    grant select, insert, update, delete on ${table} to numbers_app;
  `;
}

/** The ids of the events a consumer applied, written in the transaction of its effects (exactly-once effect). */
export function appliedEventTable(table: string): string {
  return `
    create table ${table} (
      consumer varchar(100) not null,
      event_id uuid not null,
      tenant_id uuid not null,
      applied_at timestamptz not null default now(),
      primary key (consumer, event_id)
    );
    create index ${table}_tenant_idx on ${table} (tenant_id, consumer);
  `;
}
