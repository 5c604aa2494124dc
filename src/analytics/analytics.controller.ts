import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FieldProblem } from '../shared/errors/index.js';
import { ApiAuthenticatedProblems, ApiProblem } from '../shared/http/api-problem.decorator.js';
import { ValidationFailedError } from '../shared/http/http.errors.js';
import { Clock } from '../shared/time/clock.js';
import { TenantScope } from '../tenancy/index.js';
import { GetProvisioningReportDto } from './get-provisioning-report/get-provisioning-report.dto.js';
import { GetProvisioningReportQuery } from './get-provisioning-report/get-provisioning-report.query.js';
import { ProvisioningReportResponse } from './get-provisioning-report/provisioning-report.response.js';

const DAY_MS = 86_400_000;
/** The default window: the 30 days ending today. */
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

@ApiTags('analytics')
@ApiBearerAuth()
@ApiAuthenticatedProblems()
@Controller()
export class AnalyticsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
    private readonly clock: Clock,
  ) {}

  @Get('api/analytics/provisioning')
  @ApiOkResponse({
    type: ProvisioningReportResponse,
    description:
      'The funnel of the numbers requested in `[from, to]` (UTC days, both included), their failures by step and ' +
      'code, step and end-to-end durations (p50, p95), and calls per number per day.',
  })
  @ApiProblem(
    400,
    ['VALIDATION.FAILED'],
    'A date is malformed or not a calendar day, `from` is after `to`, or the window exceeds 366 days.',
  )
  provisioning(@Query() query: GetProvisioningReportDto): Promise<ProvisioningReportResponse> {
    const problems: FieldProblem[] = [];
    const day = (value: string | undefined, field: string): Date | undefined => {
      if (value === undefined) return undefined;
      const date = new Date(`${value}T00:00:00.000Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
        problems.push({ field, message: `${field} is not a calendar day` });
      }
      return date;
    };
    const today = new Date(Math.floor(this.clock.now().getTime() / DAY_MS) * DAY_MS);
    const to = day(query.to, 'to') ?? today;
    const from = day(query.from, 'from') ?? new Date(to.getTime() - (DEFAULT_DAYS - 1) * DAY_MS);
    if (problems.length === 0 && from > to)
      problems.push({ field: 'from', message: 'from must not be after to' });
    if (problems.length === 0 && (to.getTime() - from.getTime()) / DAY_MS + 1 > MAX_DAYS) {
      problems.push({ field: 'from', message: `the window must not exceed ${MAX_DAYS} days` });
    }
    if (problems.length > 0) {
      throw new ValidationFailedError(problems);
    }
    return this.queries.execute(
      new GetProvisioningReportQuery(this.scope.tenantId, from, new Date(to.getTime() + DAY_MS)),
    );
  }
}
