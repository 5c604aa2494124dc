import { Migration } from '@mikro-orm/migrations';
import { CROSS_TENANT, grantToApp } from './Migration20261201130000RowLevelSecurityEverywhere.js';

/**
 * A delivery may be scheduled (`DomainEvent`'s `deliverAt`: due at a future time, such as the end of a released
 * number's grace period). Such a delivery is pending but no backlog until it is due: the age of a delivery never
 * attempted counts from when it is due (for every other one that is when it was created, as before); a retried
 * one still counts from its creation.
 */
export class Migration20261202110000ScheduledDeliveriesAreNoBacklog extends Migration {
  override name = 'Migration20261202110000ScheduledDeliveriesAreNoBacklog';

  override up(): void {
    this.addSql(backlogFunction('case when d.attempts = 0 then d.next_attempt_at else d.created_at end'));
  }

  override down(): void {
    this.addSql(backlogFunction('d.created_at'));
  }
}

function backlogFunction(pendingSince: string): string {
  return `
    create or replace function outbox_backlog()
      returns table (subscriber varchar, pending bigint, failed bigint, oldest timestamptz)
      language sql stable ${CROSS_TENANT} as $$
        select d.subscriber,
               count(*) filter (where d.status = 'pending'),
               count(*) filter (where d.status = 'failed'),
               min(${pendingSince}) filter (where d.status = 'pending')
          from outbox_delivery d
         where d.status in ('pending', 'failed')
         group by d.subscriber
      $$;
    ${grantToApp('outbox_backlog()')}
  `;
}
