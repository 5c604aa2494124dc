import { Migration } from '@mikro-orm/migrations';
import { appliedEventTable, isolatedConsumerTable } from './consumer-tables.js';

/**
 * The billing consumer's own tables, filled only from domain events (never from another module's tables):
 *
 * - `billing_number_transition`: each time a number went live (activated; later restored, imported) or dark
 *   (released), one row per event. Intervals are derived from them at read time, in order of `at`, so an event
 *   delivered late or out of order still lands in the right place.
 * - `billing_call`: one row per Vapi call (keyed by Vapi's call id: a report delivered twice counts once), its
 *   duration, billed minutes and cost converted to integer cents once, here.
 */
export class Migration20261201120000CreateBilling extends Migration {
  override name = 'Migration20261201120000CreateBilling';

  override up(): void {
    this.addSql(`
      create table billing_number_transition (
        tenant_id uuid not null,
        event_id uuid not null,
        number_id uuid not null,
        project_id uuid not null,
        e164 varchar(16) not null,
        state varchar(8) not null check (state in ('live', 'dark')),
        kind varchar(16) not null check (kind in ('purchased', 'imported')),
        monthly_cost_cents integer not null check (monthly_cost_cents >= 0),
        at timestamptz not null,
        primary key (tenant_id, event_id)
      );
      create index billing_number_transition_at_idx on billing_number_transition (tenant_id, at);
    `);
    this.addSql(`
      create table billing_call (
        tenant_id uuid not null,
        vapi_call_id varchar(255) not null,
        project_id uuid not null,
        number_id uuid,
        e164 varchar(16),
        ended_at timestamptz not null,
        duration_seconds integer not null check (duration_seconds >= 0),
        billed_minutes integer not null check (billed_minutes >= 0),
        cost_cents integer not null check (cost_cents >= 0),
        primary key (tenant_id, vapi_call_id)
      );
      create index billing_call_ended_at_idx on billing_call (tenant_id, ended_at);
    `);
    this.addSql(appliedEventTable('billing_applied_event'));
    for (const table of ['billing_number_transition', 'billing_call', 'billing_applied_event'])
      this.addSql(isolatedConsumerTable(table));
  }

  override down(): void {
    this.addSql(
      'drop table billing_applied_event; drop table billing_call; drop table billing_number_transition;',
    );
  }
}
