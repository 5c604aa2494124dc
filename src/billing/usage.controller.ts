import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAuthenticatedProblems, ApiProblem } from '../shared/http/api-problem.decorator.js';
import { parseId } from '../shared/http/parse-id.pipe.js';
import { Clock } from '../shared/time/clock.js';
import { GetProjectQuery, TenantScope } from '../tenancy/index.js';
import { GetUsageDto } from './get-usage/get-usage.dto.js';
import { GetUsageQuery } from './get-usage/get-usage.query.js';
import { usageCsv } from './get-usage/usage.csv.js';
import { UsageResponse } from './get-usage/usage.response.js';
import { monthOf, parseMonth } from './usage-rules.js';

const CSV_DESCRIPTION =
  'With `Accept: text/csv`: the same month as a CSV attachment (header row; one line per number, one per UTC day ' +
  'and number of calls, a total line; RFC 4180).';

@ApiTags('billing')
@ApiBearerAuth()
@ApiAuthenticatedProblems()
@Controller()
export class UsageController {
  constructor(
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
    private readonly clock: Clock,
  ) {}

  @Get('api/projects/:projectId/usage')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: UsageResponse, description: `One project's month. ${CSV_DESCRIPTION}` })
  @ApiProblem(400, ['VALIDATION.FAILED', 'REQUEST.INVALID_ID'], 'The month or the project id is malformed.')
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], 'No project with this id in your tenant.')
  async project(
    @Param('projectId', parseId('projectId')) projectId: string,
    @Query() query: GetUsageDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UsageResponse | string> {
    await this.queries.execute(new GetProjectQuery(projectId));
    return this.answer(query, projectId, req, res, `usage-${projectId}`);
  }

  @Get('api/usage')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: UsageResponse,
    description: `The whole tenant's month, with a total per project. ${CSV_DESCRIPTION}`,
  })
  @ApiProblem(400, ['VALIDATION.FAILED'], 'The month is malformed.')
  tenant(
    @Query() query: GetUsageDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UsageResponse | string> {
    return this.answer(query, null, req, res, 'usage');
  }

  private async answer(
    query: GetUsageDto,
    projectId: string | null,
    req: Request,
    res: Response,
    filename: string,
  ): Promise<UsageResponse | string> {
    const month = query.month ? parseMonth(query.month)! : monthOf(this.clock.now());
    const usage = await this.queries.execute(new GetUsageQuery(this.scope.tenantId, month, projectId));
    res.vary('Accept');
    if (req.accepts(['application/json', 'text/csv']) !== 'text/csv') return usage;
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}-${month.label}.csv"`);
    return usageCsv(usage);
  }
}
