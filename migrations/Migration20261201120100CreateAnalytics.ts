import { Migration } from '@mikro-orm/migrations';
import { appliedEventTable, isolatedConsumerTable } from './consumer-tables.js';

/**
 * The analytics consumer's own tables, filled only from domain events:
 *
 * - `analytics_number_funnel`: per number, when each provisioning milestone was first reached (the earliest
 *   wins, so events may arrive in any order and more than once);
 * - `analytics_provisioning_failure`: one row per `NumberProvisioningFailed` event (step, error code);
 * - `analytics_call`: one row per Vapi call, for calls per number per day.
 */
export class Migration20261201120100CreateAnalytics extends Migration {
  override name = 'Migration20261201120100CreateAnalytics';

  override up(): void {
    this.addSql(`
      create table analytics_number_funnel (
        tenant_id uuid not null,
        number_id uuid not null,
        project_id uuid not null,
        requested_at timestamptz,
        purchased_at timestamptz,
        registered_at timestamptz,
        activated_at timestamptz,
        primary key (tenant_id, number_id)
      );
      create index analytics_number_funnel_requested_idx on analytics_number_funnel (tenant_id, requested_at);
    `);
    this.addSql(`
      create table analytics_provisioning_failure (
        tenant_id uuid not null,
        event_id uuid not null,
        number_id uuid not null,
        step varchar(32) not null,
        code varchar(100) not null,
        failed_at timestamptz not null,
        primary key (tenant_id, event_id)
      );
      create index analytics_provisioning_failure_number_idx on analytics_provisioning_failure (tenant_id, number_id);
    `);
    this.addSql(`
      create table analytics_call (
        tenant_id uuid not null,
        vapi_call_id varchar(255) not null,
        project_id uuid not null,
        number_id uuid,
        e164 varchar(16),
        ended_at timestamptz not null,
        duration_seconds integer not null,
        primary key (tenant_id, vapi_call_id)
      );
      create index analytics_call_ended_at_idx on analytics_call (tenant_id, ended_at);
    `);
    this.addSql(appliedEventTable('analytics_applied_event'));
    for (const table of [
      'analytics_number_funnel',
      'analytics_provisioning_failure',
      'analytics_call',
      'analytics_applied_event',
    ])
      this.addSql(isolatedConsumerTable(table));
  }

  override down(): void {
    this.addSql(
      'drop table analytics_applied_event; drop table analytics_call; drop table analytics_provisioning_failure; drop table analytics_number_funnel;',
    );
  }
}
