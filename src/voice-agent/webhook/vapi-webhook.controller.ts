import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../../shared/http/api-problem.decorator.js';
import { Public } from '../../tenancy/index.js';
import { parseVapiMessage } from './vapi-message.js';
import { VapiSecretGuard } from './vapi-secret.guard.js';
import { VapiWebhookHandler, type VapiWebhookReply } from './vapi-webhook.handler.js';

@ApiTags('vapi')
@Controller('api/vapi/webhook')
export class VapiWebhookController {
  constructor(private readonly handler: VapiWebhookHandler) {}

  @Post()
  @Public()
  @UseGuards(VapiSecretGuard)
  @HttpCode(200)
  @ApiHeader({
    name: 'x-vapi-secret',
    required: false,
    description: 'VAPI_WEBHOOK_SECRET; or send it as `Authorization: Bearer <secret>`.',
  })
  @ApiBody({
    description:
      "Vapi's server message `{ message: { type, call, phoneNumber, ... } }`. Routed by `call.phoneNumberId`, " +
      'then `message.phoneNumber.id`, then `message.phoneNumber.number`.',
    schema: {
      type: 'object',
      required: ['message'],
      properties: {
        message: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
      },
    },
  })
  @ApiOkResponse({
    description:
      '`assistant-request`: `{ "assistantId" }` of the number\'s agent (else a transfer to the project\'s ' +
      'fallback number, else `{ "error" }`). Every other message, and a number we do not know: `{}`.',
  })
  @ApiProblem(400, ['VAPI.MALFORMED_MESSAGE', 'REQUEST.MALFORMED_BODY'], 'Not a Vapi server message.')
  @ApiProblem(401, ['VAPI.INVALID_SECRET'], 'The webhook secret is missing or wrong; nothing was processed.')
  receive(@Body() body: unknown): Promise<VapiWebhookReply> {
    return this.handler.handle(parseVapiMessage(body));
  }
}
