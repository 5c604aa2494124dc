import { Controller, Get, Headers, Logger, Param, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAuthenticatedProblems, ApiProblem } from '../../shared/http/api-problem.decorator.js';
import { parseId } from '../../shared/http/parse-id.pipe.js';
import { AcceptsTokenCookie, TOKEN_COOKIE } from '../../shared/http/token-cookie.js';
import { ReadinessRegistry } from '../../shared/health/readiness.registry.js';
import { TenantScope } from '../../tenancy/index.js';
import { GetNumberQuery } from '../get-number/get-number.query.js';
import { NumberChanges } from '../number-changes.js';
import type { PhoneNumberResponse } from '../phone-number.response.js';
import { FINAL_STATUSES, progressBetween, type ProgressMessage } from './number-progress.js';

/** How often a quiet stream looks whether the instance is draining (no database read). */
const DRAIN_CHECK_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/numbers/:id/events`: a number's provisioning as Server-Sent Events, for a dashboard that shows the
 * steps going green without polling. The number as it stands (`state`), then each step change as it commits
 * (`step`: started, attempt-failed with its code, succeeded, failed, retried) and each status change (`status`),
 * closing once the number is active, failed, refused or released.
 */
@ApiTags('numbers')
@ApiBearerAuth()
@ApiCookieAuth(TOKEN_COOKIE)
@ApiAuthenticatedProblems()
@Controller()
export class WatchNumberController {
  private readonly logger = new Logger('WatchNumber');

  constructor(
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
    private readonly readiness: ReadinessRegistry,
    private readonly changes: NumberChanges,
  ) {}

  @Get('api/numbers/:id/events')
  @AcceptsTokenCookie()
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description:
      'Sent by an EventSource that reconnects: the stream starts again from the number as it stands; a number ' +
      'already at its end answers 204, which tells the EventSource to stop reconnecting.',
  })
  @ApiOkResponse({
    description:
      'text/event-stream. `event: state` (data `{ number }`), then `event: step` (data `{ step, change, ' +
      'attempt, error, number }`, change one of started, attempt-failed, succeeded, failed, retried) and ' +
      '`event: status` (data `{ status, number }`), each with the number as it stands; the stream ends after ' +
      'the status active, failed, refused or released. The token is the Authorization header or, for a ' +
      `browser's EventSource, the \`${TOKEN_COOKIE}\` cookie.`,
  })
  @ApiProblem(400, ['REQUEST.INVALID_ID'], 'The id is not a UUID.')
  @ApiProblem(
    404,
    ['NUMBERS.NOT_FOUND'],
    "No number with this id in your tenant (another tenant's number looks the same).",
  )
  async events(
    @Param('id', parseId('id')) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const tenantId = this.scope.tenantId;
    // Each reading in the tenant's scope of its own: the stream outlives the request's context.
    const read = () =>
      this.scope.run(tenantId, () =>
        this.queries.execute<GetNumberQuery, PhoneNumberResponse>(new GetNumberQuery(id)),
      );
    // Woken by a change of this number committed on any instance (or by changes possibly missed), never by a
    // poll; subscribed before the first read, so that nothing committed meanwhile is missed.
    let changed = false;
    let closed = false;
    let wake: (() => void) | undefined;
    const unsubscribe = this.changes.subscribe((change) => {
      if (change !== null && change.numberId !== id) return;
      changed = true;
      wake?.();
    });
    try {
      let number = await read(); // a number of no tenant of the caller's is 404 before any event
      if (lastEventId !== undefined && FINAL_STATUSES.has(number.status)) {
        res.status(204).end();
        return;
      }
      req.once('close', () => {
        closed = true;
        wake?.();
      });
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      let sequence = 0;
      const send = ({ event, data }: ProgressMessage) =>
        res.write(`id: ${++sequence}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send({ event: 'state', data: { number } });

      let quietSince = performance.now();
      while (!closed && !FINAL_STATUSES.has(number.status) && !this.readiness.isDraining) {
        if (!changed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, DRAIN_CHECK_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
        if (!changed) {
          if (performance.now() - quietSince > HEARTBEAT_MS) {
            res.write(': still watching\n\n');
            quietSince = performance.now();
          }
          continue;
        }
        changed = false;
        const now = await read();
        for (const message of progressBetween(number, now)) send(message);
        number = now;
        quietSince = performance.now();
      }
    } catch (error) {
      if (!res.headersSent) throw error;
      // The client's EventSource reconnects and starts again from the number as it stands.
      this.logger.warn({ err: error, numberId: id }, 'a number event stream ended early');
    } finally {
      unsubscribe();
    }
    res.end();
  }
}
