import { Migration } from '@mikro-orm/migrations';
import {
  CROSS_TENANT,
  grantToApp,
  tenantIsolation,
} from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * The Vapi messages already processed, one row per (call, message type): the webhook inserts its row in the
 * transaction that writes the message's event to the outbox (`on conflict do nothing`), so a message Vapi
 * delivers again, to this instance or another, is acknowledged without a second event.
 */
export class Migration20261201130100CreateVapiWebhookMessage extends Migration {
  override name = 'Migration20261201130100CreateVapiWebhookMessage';

  override up(): void {
    this.addSql(`
      create table vapi_webhook_message (
        tenant_id uuid not null references tenant (id),
        call_id varchar(255) not null,
        message_type varchar(64) not null,
        received_at timestamptz not null default now(),
        primary key (tenant_id, call_id, message_type)
      );
      create index vapi_webhook_message_received_at_idx on vapi_webhook_message (received_at);
      grant select, insert on vapi_webhook_message to numbers_app;
    `);
    this.addSql(tenantIsolation('vapi_webhook_message'));
    // Replays come within hours; rows older than the outbox's retention are swept with it.
    this.addSql(`
      create function vapi_webhook_message_prune(p_before timestamptz) returns integer
        language sql volatile ${CROSS_TENANT} as $$
          with pruned as (delete from vapi_webhook_message where received_at < p_before returning 1)
          select count(*)::integer from pruned
        $$;
      ${grantToApp('vapi_webhook_message_prune(timestamptz)')}
    `);
  }

  override down(): void {
    this.addSql('drop function vapi_webhook_message_prune(timestamptz);');
    this.addSql('drop table vapi_webhook_message;');
  }
}
