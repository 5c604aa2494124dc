import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HttpConfig, VapiConfig } from '../../config/index.js';
import { numberSettings } from '../register-with-vapi/vapi-number-settings.js';
import { VoiceAgentPort } from '../voice-agent.port.js';
import { UpdateVapiNumberCommand } from './update-vapi-number.command.js';

@CommandHandler(UpdateVapiNumberCommand)
export class UpdateVapiNumberHandler implements ICommandHandler<UpdateVapiNumberCommand> {
  constructor(
    private readonly voiceAgent: VoiceAgentPort,
    private readonly http: HttpConfig,
    private readonly vapi: VapiConfig,
  ) {}

  async execute({ vapiNumberId, wanted }: UpdateVapiNumberCommand): Promise<void> {
    // https://docs.vapi.ai/api-reference/phone-numbers/update
    await this.voiceAgent.updatePhoneNumber(vapiNumberId, numberSettings(this.http, this.vapi, wanted));
  }
}
