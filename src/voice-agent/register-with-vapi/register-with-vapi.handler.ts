import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HttpConfig, VapiConfig } from '../../config/index.js';
import { VoiceAgentPort } from '../voice-agent.port.js';
import { RegisterWithVapiCommand } from './register-with-vapi.command.js';
import { numberSettings } from './vapi-number-settings.js';

@CommandHandler(RegisterWithVapiCommand)
export class RegisterWithVapiHandler implements ICommandHandler<RegisterWithVapiCommand> {
  constructor(
    private readonly voiceAgent: VoiceAgentPort,
    private readonly http: HttpConfig,
    private readonly vapi: VapiConfig,
  ) {}

  async execute({ request }: RegisterWithVapiCommand): Promise<{ vapiNumberId: string }> {
    const { fallbackDestination, ...settings } = numberSettings(this.http, this.vapi, request);
    // Never create twice: an earlier attempt may have registered it before its answer was lost.
    const existing = request.mayExist ? await this.voiceAgent.findPhoneNumberByNumber(request.e164) : null;
    const registered = existing
      ? await this.voiceAgent.updatePhoneNumber(existing.id, { ...settings, fallbackDestination })
      : await this.voiceAgent.createPhoneNumber({
          number: request.e164,
          connection: request.connection,
          ...settings,
          ...(fallbackDestination ? { fallbackDestination } : {}),
        });
    return { vapiNumberId: registered.id };
  }
}
