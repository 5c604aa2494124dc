import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { summarise } from '../percentiles.js';
import { GetProvisioningReportQuery } from './get-provisioning-report.query.js';
import type { ProvisioningReportResponse } from './provisioning-report.response.js';

type Stamp = Date | string | null;

interface FunnelRow {
  number_id: string;
  requested_at: Stamp;
  purchased_at: Stamp;
  registered_at: Stamp;
  activated_at: Stamp;
  released_at: Stamp;
  restored_at: Stamp;
  failed: boolean;
}

const DAY_MS = 86_400_000;

@QueryHandler(GetProvisioningReportQuery)
export class GetProvisioningReportHandler implements IQueryHandler<GetProvisioningReportQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, from, until }: GetProvisioningReportQuery): Promise<ProvisioningReportResponse> {
    const [cohort, failures, calls] = await this.em.transactional(async (tx) => [
      await tx.execute<FunnelRow[]>(
        `select f.number_id, f.requested_at, f.purchased_at, f.registered_at, f.activated_at, f.released_at,
                f.restored_at,
                exists (select 1 from analytics_provisioning_failure x
                         where x.tenant_id = f.tenant_id and x.number_id = f.number_id) as failed
           from analytics_number_funnel f
          where f.tenant_id = ? and f.requested_at >= ? and f.requested_at < ?`,
        [tenantId, from, until],
      ),
      await tx.execute<{ step: string; code: string; failures: number; numbers: number }[]>(
        `select x.step, x.code, count(*)::int as failures, count(distinct x.number_id)::int as numbers
           from analytics_provisioning_failure x
           join analytics_number_funnel f on f.tenant_id = x.tenant_id and f.number_id = x.number_id
          where x.tenant_id = ? and f.requested_at >= ? and f.requested_at < ?
          group by x.step, x.code
          order by failures desc, x.step, x.code`,
        [tenantId, from, until],
      ),
      await tx.execute<
        { date: string; number_id: string | null; e164: string | null; project_id: string; calls: number }[]
      >(
        `select to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD') as date, number_id, e164, project_id,
                count(*)::int as calls
           from analytics_call
          where tenant_id = ? and ended_at >= ? and ended_at < ?
          group by 1, number_id, e164, project_id
          order by 1, e164, number_id`,
        [tenantId, from, until],
      ),
    ]);

    const between = (a: Stamp, b: Stamp) =>
      a === null || b === null ? null : new Date(b).getTime() - new Date(a).getTime();
    const durations = (of: (row: FunnelRow) => [Stamp, Stamp]) =>
      summarise(
        cohort.map((row) => between(...of(row))).filter((ms): ms is number => ms !== null && ms >= 0),
      );
    return {
      from: from.toISOString().slice(0, 10),
      to: new Date(until.getTime() - DAY_MS).toISOString().slice(0, 10),
      funnel: {
        requested: cohort.length,
        purchased: cohort.filter((r) => r.purchased_at !== null).length,
        registered: cohort.filter((r) => r.registered_at !== null).length,
        activated: cohort.filter((r) => r.activated_at !== null).length,
        failed: cohort.filter((r) => r.failed).length,
        released: cohort.filter((r) => r.released_at !== null).length,
        restored: cohort.filter((r) => r.restored_at !== null).length,
      },
      failures,
      durations: {
        purchase: durations((r) => [r.requested_at, r.purchased_at]),
        register: durations((r) => [r.purchased_at, r.registered_at]),
        activate: durations((r) => [r.registered_at, r.activated_at]),
        endToEnd: durations((r) => [r.requested_at, r.activated_at]),
      },
      callsPerNumberPerDay: calls.map((c) => ({
        date: c.date,
        numberId: c.number_id,
        e164: c.e164,
        projectId: c.project_id,
        calls: c.calls,
      })),
    };
  }
}
