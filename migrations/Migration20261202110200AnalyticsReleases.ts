import { Migration } from '@mikro-orm/migrations';

/** Analytics' funnel also keeps when a number was first released and first restored (the earliest wins, as before). */
export class Migration20261202110200AnalyticsReleases extends Migration {
  override name = 'Migration20261202110200AnalyticsReleases';

  override up(): void {
    this.addSql(`
      alter table analytics_number_funnel add column released_at timestamptz, add column restored_at timestamptz;
    `);
  }

  override down(): void {
    this.addSql('alter table analytics_number_funnel drop column released_at, drop column restored_at;');
  }
}
