import { Migration } from '@mikro-orm/migrations';

/**
 * `GET /api/projects/:projectId/numbers` pages a project's numbers newest first by keyset (`created_at`, `id`).
 * With only `(tenant_id, project_id)` indexed, every page read all of the project's numbers and sorted them (a
 * deep page of a 10,000-number project: 10,000 rows read for 51); in list order, a page reads its 51 rows. The
 * new index starts with the old one's columns, which it replaces.
 */
export class Migration20261202140000ProjectNumbersInListOrder extends Migration {
  override name = 'Migration20261202140000ProjectNumbersInListOrder';

  override up(): void {
    this.addSql(`
      create index phone_number_project_list_idx
        on phone_number (tenant_id, project_id, created_at desc, id desc);
      drop index phone_number_project_idx;
    `);
  }

  override down(): void {
    this.addSql(`
      create index phone_number_project_idx on phone_number (tenant_id, project_id);
      drop index phone_number_project_list_idx;
    `);
  }
}
