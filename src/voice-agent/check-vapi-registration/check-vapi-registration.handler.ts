import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { HttpConfig, VapiConfig } from '../../config/index.js';
import {
  settingsDrift,
  webhookServer,
  type VapiNumberSetting,
} from '../register-with-vapi/vapi-number-settings.js';
import { VoiceAgentPort, type VapiPhoneNumber } from '../voice-agent.port.js';
import { CheckVapiRegistrationQuery } from './check-vapi-registration.query.js';

/**
 * The read-back: what of our settings the Vapi number does not hold, as `settingsDrift` says (the one definition of
 * what Vapi must hold, which the sync repairs by too), each as a problem a person can read.
 */
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
    return settingsDrift(this.http, this.vapi, vapiNumber, expected).map((setting) =>
      this.problem(setting, vapiNumber, expected),
    );
  }

  private problem(
    setting: VapiNumberSetting,
    found: VapiPhoneNumber,
    expected: CheckVapiRegistrationQuery['expected'],
  ): string {
    switch (setting) {
      case 'name':
        return `the Vapi number's name is ${found.name ?? 'not set'}, not ${expected.name}`;
      case 'assistant':
        return `the Vapi number answers with ${found.assistantId ?? 'no assistant'}`;
      case 'server': {
        const url = webhookServer(this.http, this.vapi).url;
        return found.server?.url === url
          ? `the Vapi number's webhook does not send our secret (x-vapi-secret)`
          : `the Vapi number's server URL is not ${url}`;
      }
      case 'fallback':
        return `the Vapi number's fallback is not ${expected.fallbackNumber ?? 'unset'}`;
    }
  }
}
