import { Migration } from '@mikro-orm/migrations';

/**
 * A number's life after the click: a change on its way to Vapi (`pending_change`: another agent, the project's new
 * fallback), and its release (`releasing`, then `released`; asked at `release_requested_at`, released to the customer
 * at `released_at`, kept at Twilio for a restore until `grace_until`), and a restore under way (`restoring`).
 */
export class Migration20261202110100NumberLifecycle extends Migration {
  override name = 'Migration20261202110100NumberLifecycle';

  override up(): void {
    this.addSql(`
      alter table phone_number
        add column pending_change jsonb,
        add column release_requested_at timestamptz,
        add column released_at timestamptz,
        add column grace_until timestamptz;
      alter table phone_number drop constraint phone_number_status_check;
      alter table phone_number add constraint phone_number_status_check
        check (status in ('purchasing', 'registering', 'activating', 'active', 'refused', 'failed',
                          'releasing', 'released', 'restoring'));
    `);
  }

  override down(): void {
    this.addSql(`
      alter table phone_number drop constraint phone_number_status_check;
      alter table phone_number add constraint phone_number_status_check
        check (status in ('purchasing', 'registering', 'activating', 'active', 'refused', 'failed', 'released'));
      alter table phone_number
        drop column pending_change,
        drop column release_requested_at,
        drop column released_at,
        drop column grace_until;
    `);
  }
}
