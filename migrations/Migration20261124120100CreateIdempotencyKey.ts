import { Migration } from '@mikro-orm/migrations';
import { CREATE_APP_ROLE } from './Migration20261124120000CreateOutbox.js';

/** Idempotency-Key records: the first answer to a (tenant, key), replayed for 24 hours. */
export class Migration20261124120100CreateIdempotencyKey extends Migration {
  override name = 'Migration20261124120100CreateIdempotencyKey';

  override up(): void {
    this.addSql(CREATE_APP_ROLE);
    this.addSql(`
      create table idempotency_key (
        tenant_id uuid not null,
        key varchar(255) not null,
        fingerprint char(64) not null,
        state varchar(16) not null check (state in ('in_progress', 'completed')),
        response_status integer,
        response_headers jsonb,
        response_body jsonb,
        response_error jsonb,
        created_at timestamptz not null,
        locked_until timestamptz not null,
        expires_at timestamptz not null,
        primary key (tenant_id, key)
      );
    `);
    this.addSql('create index idempotency_key_expires_at_idx on idempotency_key (expires_at);');
    this.addSql('grant select, insert, update, delete on idempotency_key to numbers_app;');
  }

  override down(): void {
    this.addSql('drop table idempotency_key;');
  }
}
