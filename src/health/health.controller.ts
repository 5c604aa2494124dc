import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ServiceUnavailableError } from '../shared/errors/index.js';
import { ReadinessRegistry } from '../shared/health/readiness.registry.js';

const CHECK_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOkResponse({ description: 'Every dependency is up: the database reachable and migrated, and so on.' })
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
      throw new ServiceUnavailableError('HEALTH.NOT_READY', 'One or more dependencies are not ready.', {
        checks: details,
      });
    }
  }
}
