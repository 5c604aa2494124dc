import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { HttpConfig, VapiConfig } from '../../config/index.js';
import { webhookServer } from '../register-with-vapi/vapi-number-settings.js';
import { VoiceAgentPort } from '../voice-agent.port.js';
import { CheckVapiRegistrationQuery } from './check-vapi-registration.query.js';

@QueryHandler(CheckVapiRegistrationQuery)
export class CheckVapiRegistrationHandler implements IQueryHandler<CheckVapiRegistrationQuery> {
  constructor(
    private readonly voiceAgent: VoiceAgentPort,
    private readonly http: HttpConfig,
    private readonly vapi: VapiConfig,
  ) {}

  async execute({ vapiNumberId, expected, read }: CheckVapiRegistrationQuery): Promise<string[]> {
    const vapiNumber = read === undefined ? await this.voiceAgent.getPhoneNumber(vapiNumberId) : read;
    if (!vapiNumber) return [`Vapi no longer has ${vapiNumberId}`];
    const problems: string[] = [];
    if (vapiNumber.assistantId !== expected.assistantId)
      problems.push(`the Vapi number answers with ${vapiNumber.assistantId ?? 'no assistant'}`);
    const url = webhookServer(this.http, this.vapi).url;
    if (vapiNumber.server?.url !== url) problems.push(`the Vapi number's server URL is not ${url}`);
    if ((vapiNumber.fallbackDestination?.number ?? null) !== expected.fallbackNumber)
      problems.push(`the Vapi number's fallback is not ${expected.fallbackNumber ?? 'unset'}`);
    return problems;
  }
}
