import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAuthenticatedProblems, ApiProblem } from '../shared/http/api-problem.decorator.js';
import { parseId } from '../shared/http/parse-id.pipe.js';
import { PageQueryDto } from '../shared/pagination/page-query.dto.js';
import { IdempotencyService, parseIdempotencyKey } from '../shared/idempotency/index.js';
import { TenantScope } from '../tenancy/index.js';
import { BuyNumberCommand } from './buy-number/buy-number.command.js';
import { BuyNumberDto } from './buy-number/buy-number.dto.js';
import { ChangeNumberCommand } from './change-number/change-number.command.js';
import { ChangeNumberDto } from './change-number/change-number.dto.js';
import { GetNumberQuery } from './get-number/get-number.query.js';
import { ImportNumberCommand } from './import-number/import-number.command.js';
import { ImportNumberDto } from './import-number/import-number.dto.js';
import { SyncNumbersCommand } from './sync-numbers/sync-numbers.command.js';
import { SyncNumbersDto } from './sync-numbers/sync-numbers.dto.js';
import { SyncNumbersResponse } from './sync-numbers/sync-numbers.response.js';
import { ListNumbersQuery } from './list-numbers/list-numbers.query.js';
import {
  PhoneNumberListResponse,
  PhoneNumberResponse,
  PurchaseNumberResponse,
} from './phone-number.response.js';
import { ReleaseNumberCommand } from './release-number/release-number.command.js';
import { RestoreNumberCommand } from './restore-number/restore-number.command.js';
import { RetryProvisioningCommand } from './retry-number/retry-provisioning.command.js';
import { SearchNumbersDto } from './search-numbers/search-numbers.dto.js';
import { SearchNumbersQuery } from './search-numbers/search-numbers.query.js';
import { SearchNumbersResponse } from './search-numbers/search-numbers.response.js';

const NOT_FOUND = "No number with this id in your tenant (another tenant's number looks the same).";

@ApiTags('numbers')
@ApiBearerAuth()
@ApiAuthenticatedProblems()
@Controller()
export class NumbersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Get('api/numbers')
  @ApiOkResponse({
    type: SearchNumbersResponse,
    description:
      "Numbers for sale in the country of the area code (or region): Twilio's Canadian inventory for a Canadian " +
      'one. Numbers that need an address on file are included, with `addressRequired: true`. An empty list when none.',
  })
  @ApiProblem(
    400,
    ['NUMBERS.INVALID_AREA_CODE', 'VALIDATION.FAILED'],
    'The area code or a filter is malformed.',
  )
  @ApiProblem(
    429,
    ['RATE_LIMITED'],
    'More than TENANT_SEARCHES_PER_MINUTE searches a minute; see Retry-After.',
  )
  @ApiProblem(502, ['TELEPHONY.PROVIDER_ERROR', 'TELEPHONY.UNREACHABLE'], 'Twilio did not answer.')
  search(@Query() query: SearchNumbersDto): Promise<SearchNumbersResponse> {
    return this.queries.execute(new SearchNumbersQuery(query));
  }

  @Post('api/numbers')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'The same key and body within 24 hours answer the first answer again; at most 255 characters.',
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description:
      '`respond-async` (RFC 7240): answer 202 as soon as the purchase is recorded, without waiting for the number ' +
      'to go live (follow `GET /api/numbers/:id/events`); the answer says `Preference-Applied: respond-async`.',
  })
  @ApiCreatedResponse({ type: PurchaseNumberResponse, description: 'The number is live.' })
  @ApiAcceptedResponse({
    type: PurchaseNumberResponse,
    description: 'Still being provisioned; follow `Location` (`GET /api/numbers/:id`).',
  })
  @ApiProblem(
    400,
    ['VALIDATION.FAILED', 'NUMBERS.INVALID_AREA_CODE', 'IDEMPOTENCY.INVALID_KEY'],
    'Bad input.',
  )
  @ApiProblem(404, ['PROJECTS.NOT_FOUND', 'AGENTS.NOT_FOUND'], 'No such project or agent in your tenant.')
  @ApiProblem(
    409,
    ['NUMBERS.NONE_AVAILABLE', 'NUMBERS.UNAVAILABLE', 'IDEMPOTENCY.IN_PROGRESS'],
    'Nothing for sale (`suggestions` lists numbers in the same state or province that need no address), the number is taken, or the same key is still running.',
  )
  @ApiProblem(
    422,
    ['NUMBERS.ADDRESS_REQUIRED', 'IDEMPOTENCY.MISMATCH'],
    'The number asked for needs an address on file (a search shows it with `addressRequired: true`), or the Idempotency-Key was used with another body.',
  )
  @ApiProblem(
    429,
    ['NUMBERS.QUOTA_EXCEEDED', 'RATE_LIMITED'],
    'Too many numbers or purchases; see Retry-After.',
  )
  async purchase(
    @Body() body: BuyNumberDto,
    @Headers('idempotency-key') keyHeader: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const tenantId = this.scope.tenantId;
    const respondAsync = /(^|[,;\s])respond-async([,;\s]|$)/i.test(prefer ?? '');
    const result = await this.idempotency.handle(
      tenantId,
      keyHeader,
      { method: 'POST', path: req.path, body },
      () =>
        this.commands.execute(
          new BuyNumberCommand(tenantId, body, parseIdempotencyKey(keyHeader), respondAsync),
        ),
    );
    res.status(result.status);
    if (respondAsync && result.status === 202) res.setHeader('Preference-Applied', 'respond-async');
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Post('api/numbers/import')
  @ApiCreatedResponse({ type: PurchaseNumberResponse, description: 'The imported number is live.' })
  @ApiAcceptedResponse({
    type: PurchaseNumberResponse,
    description:
      'Still being registered and activated (or failed); follow `Location`. The same import again answers the ' +
      'same number.',
  })
  @ApiProblem(
    400,
    ['VALIDATION.FAILED'],
    'Bad input (a field of the other source, a malformed SID or number).',
  )
  @ApiProblem(404, ['PROJECTS.NOT_FOUND', 'AGENTS.NOT_FOUND'], 'No such project or agent in your tenant.')
  @ApiProblem(
    409,
    ['NUMBERS.ALREADY_HELD'],
    'The number belongs to a project already (of another tenant, or another project); nothing was sent to Vapi.',
  )
  @ApiProblem(
    422,
    ['NUMBERS.NOT_OWNED', 'NUMBERS.TWILIO_CREDENTIALS_REJECTED', 'NUMBERS.SIP_CREDENTIAL_NOT_FOUND'],
    'The Twilio account does not own the number, Twilio refused the credentials, or Vapi has no such ' +
      'byo-sip-trunk credential; nothing was sent to Vapi.',
  )
  @ApiProblem(
    429,
    ['NUMBERS.QUOTA_EXCEEDED', 'RATE_LIMITED'],
    'Too many numbers or imports; see Retry-After.',
  )
  @ApiProblem(502, ['TELEPHONY.PROVIDER_ERROR', 'TELEPHONY.UNREACHABLE'], 'Twilio did not answer.')
  async import(@Body() body: ImportNumberDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const result = await this.commands.execute(new ImportNumberCommand(this.scope.tenantId, body));
    res.status(result.status);
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    return result.body;
  }

  @Post('api/numbers/sync')
  @HttpCode(200)
  @ApiOkResponse({
    type: SyncNumbersResponse,
    description:
      'Vapi numbers tagged with the project (`ahf:<project id without dashes>`) that no project holds, now linked ' +
      "to it; the project's numbers whose assistant, server URL or fallback differed in Vapi, repaired; and what " +
      'was left alone, with why. A number without the tag is never linked.',
  })
  @ApiProblem(400, ['VALIDATION.FAILED'], 'The project id is not a UUID.')
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], 'No project with this id in your tenant.')
  @ApiProblem(502, ['VOICE_AGENT.PROVIDER_ERROR', 'VOICE_AGENT.UNREACHABLE'], 'Vapi did not answer.')
  sync(@Body() body: SyncNumbersDto): Promise<SyncNumbersResponse> {
    return this.commands.execute(new SyncNumbersCommand(this.scope.tenantId, body.projectId));
  }

  @Get('api/numbers/:id')
  @ApiOkResponse({
    type: PhoneNumberResponse,
    description: 'The number, its status and each step’s progress.',
  })
  @ApiProblem(400, ['REQUEST.INVALID_ID'], 'The id is not a UUID.')
  @ApiProblem(404, ['NUMBERS.NOT_FOUND'], NOT_FOUND)
  get(@Param('id', parseId('id')) id: string): Promise<PhoneNumberResponse> {
    return this.queries.execute(new GetNumberQuery(id));
  }

  @Post('api/numbers/:id/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: PhoneNumberResponse, description: 'The failed step runs again.' })
  @ApiProblem(400, ['REQUEST.INVALID_ID'], 'The id is not a UUID.')
  @ApiProblem(404, ['NUMBERS.NOT_FOUND'], NOT_FOUND)
  @ApiProblem(409, ['NUMBERS.NOT_RETRIABLE'], 'The number is not failed.')
  retry(@Param('id', parseId('id')) id: string): Promise<PhoneNumberResponse> {
    return this.commands.execute(new RetryProvisioningCommand(id));
  }

  @Patch('api/numbers/:id')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: PhoneNumberResponse,
    description:
      'The change is on its way to Vapi (`pendingChange`); `agentId` says the new agent once Vapi reads back with ' +
      'its assistant (`GET /api/numbers/:id`). Asking for the agent the number has, or is changing to, changes nothing.',
  })
  @ApiProblem(400, ['REQUEST.INVALID_ID', 'VALIDATION.FAILED'], 'The id or the body is not valid.')
  @ApiProblem(404, ['NUMBERS.NOT_FOUND', 'AGENTS.NOT_FOUND'], `${NOT_FOUND} Or no such agent in its project.`)
  @ApiProblem(
    409,
    ['NUMBERS.NOT_ACTIVE'],
    'The number is not active (still provisioning, failed or released).',
  )
  change(
    @Param('id', parseId('id')) id: string,
    @Body() body: ChangeNumberDto,
  ): Promise<PhoneNumberResponse> {
    return this.commands.execute(new ChangeNumberCommand(id, body));
  }

  @Delete('api/numbers/:id')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: PhoneNumberResponse,
    description:
      'The release is on its way: detached from Vapi, then released at Twilio (after `NUMBER_RELEASE_GRACE_HOURS`, ' +
      'until when `restorableUntil` says it can be restored). A number still provisioning is released once its step ' +
      'in flight ends. Asking again answers the same and changes nothing.',
  })
  @ApiProblem(400, ['REQUEST.INVALID_ID'], 'The id is not a UUID.')
  @ApiProblem(404, ['NUMBERS.NOT_FOUND'], NOT_FOUND)
  @ApiProblem(409, ['NUMBERS.NOT_RELEASABLE'], 'The number is a refused purchase: it holds nothing.')
  release(@Param('id', parseId('id')) id: string): Promise<PhoneNumberResponse> {
    return this.commands.execute(new ReleaseNumberCommand(id));
  }

  @Post('api/numbers/:id/restore')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: PhoneNumberResponse,
    description:
      'The released number is being attached again as it was (`restoring`, then `active`). Asking again while it ' +
      'is restoring answers the same.',
  })
  @ApiProblem(400, ['REQUEST.INVALID_ID'], 'The id is not a UUID.')
  @ApiProblem(404, ['NUMBERS.NOT_FOUND'], NOT_FOUND)
  @ApiProblem(
    409,
    ['NUMBERS.NOT_RESTORABLE'],
    'The number is not released, was released without a grace period (as a number of the customer’s own ' +
      'Twilio account always is: import it again), or its grace period is over.',
  )
  @ApiProblem(429, ['NUMBERS.QUOTA_EXCEEDED'], 'The tenant holds TENANT_MAX_NUMBERS live numbers already.')
  restore(@Param('id', parseId('id')) id: string): Promise<PhoneNumberResponse> {
    return this.commands.execute(new RestoreNumberCommand(id));
  }

  @Get('api/projects/:projectId/numbers')
  @ApiOkResponse({
    type: PhoneNumberListResponse,
    description: "A page of the project's numbers, newest first.",
  })
  @ApiProblem(
    400,
    ['REQUEST.INVALID_ID', 'VALIDATION.FAILED'],
    'The project id, cursor or limit is not valid.',
  )
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], 'No project with this id in your tenant.')
  list(
    @Param('projectId', parseId('projectId')) projectId: string,
    @Query() page: PageQueryDto,
  ): Promise<PhoneNumberListResponse> {
    return this.queries.execute(new ListNumbersQuery(projectId, page));
  }
}
