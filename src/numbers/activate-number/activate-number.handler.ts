import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { NumbersConfig, TwilioConfig, VapiConfig } from '../../config/index.js';
import { TelephonyPort } from '../../telephony/index.js';
import { GetProjectQuery } from '../../tenancy/index.js';
import { CheckVapiRegistrationQuery, GetAgentQuery } from '../../voice-agent/index.js';
import type { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotReadyError } from '../phone-number.errors.js';
import { ProvisioningMetrics } from '../provisioning/provisioning.metrics.js';
import { ProvisioningSteps } from '../provisioning/provisioning-steps.js';
import { ActivateNumberCommand } from './activate-number.command.js';

/**
 * The `activate` step: a number is reported live only when both sides read back as provisioned: the Vapi number
 * has the agent's assistant, our webhook and the project's fallback (voice-agent checks what it registered), and
 * the Twilio number routes to Vapi (its voice URL is Vapi's inbound endpoint, or in BYO mode it sits on the SIP
 * trunk).
 */
@CommandHandler(ActivateNumberCommand)
export class ActivateNumberHandler implements ICommandHandler<ActivateNumberCommand> {
  constructor(
    private readonly steps: ProvisioningSteps,
    private readonly telephony: TelephonyPort,
    private readonly queries: QueryBus,
    private readonly metrics: ProvisioningMetrics,
    private readonly vapi: VapiConfig,
    private readonly twilio: TwilioConfig,
    private readonly numbers: NumbersConfig,
  ) {}

  async execute({ numberId }: ActivateNumberCommand): Promise<void> {
    const active = await this.steps.run(numberId, 'activate', async (number) => {
      const problems = await this.problemsOf(number);
      if (problems.length > 0) throw new NumberNotReadyError(problems);
      return (n: PhoneNumber) => n.activated(this.numbers.monthlyCostCents);
    });
    // Observed once the activation is committed, not inside its transaction.
    if (active) this.metrics.activated(active.createdAt, active.activatedAt!);
  }

  private async problemsOf(number: Readonly<PhoneNumber>): Promise<string[]> {
    const project = await this.queries.execute(new GetProjectQuery(number.projectId));
    const agent = await this.queries.execute(new GetAgentQuery(number.projectId, number.agentId));
    const [twilioNumber, vapiProblems] = await Promise.all([
      this.telephony.fetch(number.twilioSid!),
      this.queries.execute(
        new CheckVapiRegistrationQuery(number.vapiNumberId!, {
          assistantId: agent.vapiAssistantId,
          fallbackNumber: project.fallbackNumber,
        }),
      ),
    ]);
    const problems: string[] = [];
    if (!twilioNumber) problems.push(`Twilio no longer has ${number.twilioSid}`);
    else if (this.vapi.numberProvider === 'byo-phone-number') {
      if (twilioNumber.trunkSid !== this.twilio.sipTrunkSid)
        problems.push(`the Twilio number is not on SIP trunk ${this.twilio.sipTrunkSid}`);
    } else if (twilioNumber.voiceUrl !== `${this.vapi.baseUrl}/twilio/inbound_call`) {
      problems.push(`the Twilio number's voice URL is ${twilioNumber.voiceUrl ?? 'not set'}, not Vapi's`);
    }
    return [...problems, ...vapiProblems];
  }
}
