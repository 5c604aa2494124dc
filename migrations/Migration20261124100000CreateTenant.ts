import { Migration } from '@mikro-orm/migrations';

export class Migration20261124100000CreateTenant extends Migration {
  override name = 'Migration20261124100000CreateTenant';

  override up(): void {
    this.addSql(`
      create table tenant (
        id uuid primary key,
        external_id varchar(255) not null unique,
        created_at timestamptz not null default now()
      );
    `);
  }

  override down(): void {
    this.addSql('drop table tenant;');
  }
}
