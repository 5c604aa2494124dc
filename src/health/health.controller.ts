import { Controller, Get, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { Public } from '../shared/http/public.decorator.js';
import { ReadinessRegistry } from '../shared/health/readiness.registry.js';
import { Outbox, type OutboxReport } from '../shared/outbox/index.js';
import { withTimeout } from '../shared/time/with-timeout.js';
import { NotReadyError, OutboxUnreadableError } from './health.errors.js';

const CHECK_TIMEOUT_MS = 3_000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
    private readonly outbox: Outbox,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOkResponse({
    description:
      'This instance can serve: the database reachable and migrated, not shutting down. ' +
      'The outbox backlog is not part of it (see `/health/outbox`).',
  })
  @ApiServiceUnavailableResponse({ description: 'Problem details, code `HEALTH.NOT_READY`, with `checks`.' })
  async ready(): Promise<HealthCheckResult> {
    const checks = this.readiness
      .entries()
      .map(([name, check]) => async (): Promise<HealthIndicatorResult> => {
        const session = this.indicators.check(name);
        try {
          const outcome = await withTimeout(check(), CHECK_TIMEOUT_MS);
          return outcome.up ? session.up(outcome.data) : session.down(outcome.data);
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      });
    if (this.readiness.isDraining) {
      checks.push(async () =>
        this.indicators.check('shutdown').down({ message: 'the service is shutting down' }),
      );
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      const details = (error as { response?: { details?: unknown } }).response?.details;
      throw new NotReadyError(details);
    }
  }

  /**
   * The outbox backlog with a verdict, for people and dashboards: a report, not a probe. It answers 200 for
   * `ok` and for `degraded` alike (late or failed deliveries call for an operator, not for a restart or for
   * leaving the load balancer), and 503 only when the backlog cannot be read at all.
   */
  @Get('outbox')
  @ApiOkResponse({
    description:
      '`status` `ok` or `degraded` (with `reasons`: `OUTBOX.BACKLOG_OLD`, `OUTBOX.DELIVERIES_FAILED`), ' +
      'the pending and failed deliveries and the oldest pending age, in total and by subscriber.',
  })
  @ApiServiceUnavailableResponse({ description: 'Problem details, code `HEALTH.OUTBOX_UNREADABLE`.' })
  async outboxReport(): Promise<OutboxReport> {
    try {
      return await withTimeout(this.outbox.report(), CHECK_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox backlog unreadable');
      throw new OutboxUnreadableError();
    }
  }
}
