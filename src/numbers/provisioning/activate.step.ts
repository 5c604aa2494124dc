import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { TwilioConfig, VapiConfig } from '../../config/index.js';
import { TelephonyPort } from '../../telephony/index.js';
import { GetProjectQuery } from '../../tenancy/index.js';
import { CheckVapiRegistrationQuery, GetAgentQuery } from '../../voice-agent/index.js';
import type { PhoneNumber } from '../phone-number.entity.js';

/**
 * The `activate` step's work: one round trip to each provider, in parallel. A number is reported live only when
 * both sides read back as provisioned: the Vapi number has the agent's assistant, our webhook and the project's
 * fallback (voice-agent checks what it registered), and the Twilio number routes to Vapi (its voice URL is Vapi's
 * inbound endpoint, or in BYO mode it sits on the SIP trunk).
 */
@Injectable()
export class ActivateStep {
  constructor(
    private readonly telephony: TelephonyPort,
    private readonly queries: QueryBus,
    private readonly vapi: VapiConfig,
    private readonly twilio: TwilioConfig,
  ) {}

  /** What would keep a call from reaching the agent; empty when nothing would. */
  async problemsOf(number: Readonly<PhoneNumber>): Promise<string[]> {
    const [project, agent] = await Promise.all([
      this.queries.execute(new GetProjectQuery(number.projectId)),
      this.queries.execute(new GetAgentQuery(number.projectId, number.agentId)),
    ]);
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
