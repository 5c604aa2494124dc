import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/time/clock.js';
import { numberUsage, type NumberKind, type NumberTransition } from '../usage-rules.js';
import { GetUsageQuery } from './get-usage.query.js';
import type { CallDayUsageResponse, NumberUsageResponse, UsageResponse } from './usage.response.js';

interface TransitionRow {
  number_id: string;
  project_id: string;
  e164: string;
  state: 'live' | 'dark';
  kind: NumberKind;
  monthly_cost_cents: number;
  at: Date | string;
}

interface CallDayRow {
  date: string;
  number_id: string | null;
  project_id: string;
  e164: string | null;
  count: number;
  seconds: number;
  minutes: number;
  cost_cents: number;
}

/** Reads billing's own tables only; the month's fees are worked out from the transitions by `usage-rules`. */
@QueryHandler(GetUsageQuery)
export class GetUsageHandler implements IQueryHandler<GetUsageQuery> {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, month, projectId }: GetUsageQuery): Promise<UsageResponse> {
    const project = projectId ? 'and project_id = ?' : '';
    const scope = projectId ? [projectId] : [];
    const [transitions, days] = await this.em.transactional(async (tx) => [
      await tx.execute<TransitionRow[]>(
        `select number_id, project_id, e164, state, kind, monthly_cost_cents, at from billing_number_transition
          where tenant_id = ? and at < ? ${project} order by at, event_id`,
        [tenantId, month.end, ...scope],
      ),
      await tx.execute<CallDayRow[]>(
        `select to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD') as date, number_id, project_id, e164,
                count(*)::int as count, sum(duration_seconds)::int as seconds, sum(billed_minutes)::int as minutes,
                sum(cost_cents)::int as cost_cents
           from billing_call
          where tenant_id = ? and ended_at >= ? and ended_at < ? ${project}
          group by 1, number_id, project_id, e164
          order by 1, e164, number_id`,
        [tenantId, month.start, month.end, ...scope],
      ),
    ]);

    const byNumber = new Map<string, { row: TransitionRow; transitions: NumberTransition[] }>();
    for (const row of transitions) {
      const entry = byNumber.get(row.number_id) ?? { row, transitions: [] };
      entry.transitions.push({
        at: new Date(row.at),
        state: row.state,
        kind: row.kind,
        monthlyCostCents: row.monthly_cost_cents,
      });
      byNumber.set(row.number_id, entry);
    }
    const now = this.clock.now();
    const numbers: NumberUsageResponse[] = [];
    for (const [numberId, { row, transitions: list }] of byNumber) {
      const usage = numberUsage(list, month, now);
      if (usage) numbers.push({ numberId, projectId: row.project_id, e164: row.e164, ...usage });
    }
    numbers.sort((a, b) => a.e164.localeCompare(b.e164) || a.numberId.localeCompare(b.numberId));

    const byDay: CallDayUsageResponse[] = days.map((d) => ({
      date: d.date,
      numberId: d.number_id,
      projectId: d.project_id,
      e164: d.e164,
      count: d.count,
      seconds: d.seconds,
      minutes: d.minutes,
      costCents: d.cost_cents,
    }));
    const sum = <T>(items: T[], of: (item: T) => number) =>
      items.reduce((total, item) => total + of(item), 0);
    const calls = {
      count: sum(byDay, (d) => d.count),
      seconds: sum(byDay, (d) => d.seconds),
      minutes: sum(byDay, (d) => d.minutes),
      costCents: sum(byDay, (d) => d.costCents),
      byDay,
    };
    const usage: UsageResponse = {
      month: month.label,
      numbers,
      calls,
      totalCents: sum(numbers, (n) => n.feeCents) + calls.costCents,
    };
    if (!projectId) {
      const projects = new Map<string, { numbersCents: number; callsCents: number }>();
      const of = (id: string) =>
        projects.get(id) ?? projects.set(id, { numbersCents: 0, callsCents: 0 }).get(id)!;
      for (const n of numbers) of(n.projectId).numbersCents += n.feeCents;
      for (const d of byDay) of(d.projectId).callsCents += d.costCents;
      usage.projects = [...projects.entries()]
        .map(([id, p]) => ({ projectId: id, ...p, totalCents: p.numbersCents + p.callsCents }))
        .sort((a, b) => a.projectId.localeCompare(b.projectId));
    }
    return usage;
  }
}
