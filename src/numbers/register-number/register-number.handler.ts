import { CommandBus, CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { TwilioConfig, VapiConfig } from '../../config/index.js';
import { failpoint } from '../../shared/failpoints/failpoints.js';
import { TelephonyPort } from '../../telephony/index.js';
import { GetProjectQuery } from '../../tenancy/index.js';
import { GetAgentQuery, RegisterWithVapiCommand } from '../../voice-agent/index.js';
import { vapiNameOf, type PhoneNumber } from '../phone-number.entity.js';
import { ProvisioningSteps } from '../provisioning/provisioning-steps.js';
import { RegisterNumberCommand } from './register-number.command.js';

/**
 * The `register` step: routes the Twilio number to Vapi (in BYO mode, onto the SIP trunk that Vapi's BYO
 * credential answers; in Twilio mode Vapi's import sets the voice URL itself) and sends `RegisterWithVapi` with
 * the agent's assistant and the project's fallback.
 */
@CommandHandler(RegisterNumberCommand)
export class RegisterNumberHandler implements ICommandHandler<RegisterNumberCommand> {
  constructor(
    private readonly steps: ProvisioningSteps,
    private readonly telephony: TelephonyPort,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly vapi: VapiConfig,
    private readonly twilio: TwilioConfig,
  ) {}

  async execute({ numberId }: RegisterNumberCommand): Promise<void> {
    await this.steps.run(numberId, 'register', async (number) => {
      const project = await this.queries.execute(new GetProjectQuery(number.projectId));
      const agent = await this.queries.execute(new GetAgentQuery(number.projectId, number.agentId));
      if (this.vapi.numberProvider === 'byo-phone-number') {
        await this.telephony.update(number.twilioSid!, { trunkSid: this.twilio.sipTrunkSid! });
      }
      const { vapiNumberId } = await this.commands.execute(
        new RegisterWithVapiCommand({
          e164: number.e164!,
          name: vapiNameOf(number.projectId),
          assistantId: agent.vapiAssistantId,
          fallbackNumber: project.fallbackNumber,
        }),
      );
      failpoint('numbers.register.after-provider');
      return (n: PhoneNumber) => n.registeredWithVapi(vapiNumberId);
    });
  }
}
