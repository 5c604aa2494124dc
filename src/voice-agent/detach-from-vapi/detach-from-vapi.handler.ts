import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { VoiceAgentPort } from '../voice-agent.port.js';
import { DetachFromVapiCommand } from './detach-from-vapi.command.js';

@CommandHandler(DetachFromVapiCommand)
export class DetachFromVapiHandler implements ICommandHandler<DetachFromVapiCommand> {
  constructor(private readonly voiceAgent: VoiceAgentPort) {}

  async execute({ number }: DetachFromVapiCommand): Promise<{ deleted: string[] }> {
    const id =
      number.vapiNumberId ??
      (number.e164 ? ((await this.voiceAgent.findPhoneNumberByNumber(number.e164))?.id ?? null) : null);
    if (!id) return { deleted: [] };
    // https://docs.vapi.ai/api-reference/phone-numbers/delete
    return { deleted: (await this.voiceAgent.deletePhoneNumber(id)) ? [id] : [] };
  }
}
