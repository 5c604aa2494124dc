import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { TwilioConfig, VapiConfig } from '../../config/index.js';
import { TelephonyPort, type OwnedNumber } from '../../telephony/index.js';
import { CheckVapiRegistrationQuery, VoiceAgentPort } from '../../voice-agent/index.js';
import { CustomerTokenSeal } from '../import-number/customer-token-seal.js';
import type { PhoneNumber } from '../phone-number.entity.js';
import { setInVapi, wantedInVapi, type WantedInVapi } from './register.step.js';

/** What a read-back found: what would keep a call from reaching the agent, and the settings it checked Vapi for. */
export interface ReadBack {
  problems: string[];
  confirmed: WantedInVapi;
}

/**
 * The `activate` step's work: one round trip to each provider, in parallel. A number is reported live only when
 * both sides read back as provisioned: the Vapi number has the agent's assistant, our webhook and the project's
 * fallback (voice-agent checks what it registered), and the Twilio number routes to Vapi (its voice URL is Vapi's
 * inbound endpoint, or in BYO mode it sits on the SIP trunk). An imported Twilio number is read back from the
 * customer's account, with their credentials; a SIP number's carrier is not ours to read: Vapi's side only.
 *
 * The settings checked are those of the moment the step runs (the project's fallback now, the agent's assistant
 * now), not those the registration sent: the project's fallback may have changed since, and a change asks nothing of
 * a number that is not live yet. A Vapi number that holds other settings of ours (the assistant, the server URL, the
 * fallback) is given the current ones, with the change flow's call (`UpdateVapiNumber`, one PATCH), and read back
 * again, in the same attempt: the provisioning converges on the project as it is instead of failing until its
 * attempts run out. Two more Vapi round trips, only then; a Vapi number gone, or a Twilio side that does not route
 * to Vapi, is not ours to set here and stays a problem.
 */
@Injectable()
export class ActivateStep {
  constructor(
    private readonly telephony: TelephonyPort,
    private readonly voiceAgent: VoiceAgentPort,
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    private readonly vapi: VapiConfig,
    private readonly twilio: TwilioConfig,
    private readonly seal: CustomerTokenSeal,
  ) {}

  /**
   * What would keep a call from reaching the agent (empty when nothing would), once Vapi was given the current
   * settings if it held others. (A restore reads back the same.)
   */
  async readBack(
    number: Pick<
      PhoneNumber,
      | 'id'
      | 'projectId'
      | 'agentId'
      | 'kind'
      | 'twilioSid'
      | 'vapiNumberId'
      | 'customerTwilioAccountSid'
      | 'sealedTwilioAuthToken'
    >,
  ): Promise<ReadBack> {
    const confirmed = await wantedInVapi(this.queries, number);
    const [twilioNumber, vapiProblems] = await Promise.all([
      this.twilioSideOf(number),
      this.vapiSideOf(number.vapiNumberId!, confirmed),
    ]);
    return { problems: this.problemsOf(number, twilioNumber, vapiProblems), confirmed };
  }

  /**
   * Whether what Vapi is to hold for the number moved since `confirmed` was read (the project's fallback changed
   * meanwhile): the number is then to take a change of its own once live.
   */
  async movedSince(
    number: { projectId: string; agentId: string },
    confirmed: WantedInVapi,
  ): Promise<boolean> {
    const now = await wantedInVapi(this.queries, number);
    return now.assistantId !== confirmed.assistantId || now.fallbackNumber !== confirmed.fallbackNumber;
  }

  /** Vapi's side: read back; holding other settings of ours, given the current ones and read back again. */
  private async vapiSideOf(vapiNumberId: string, wanted: WantedInVapi): Promise<string[]> {
    const found = await this.voiceAgent.getPhoneNumber(vapiNumberId);
    const problems = await this.queries.execute(new CheckVapiRegistrationQuery(vapiNumberId, wanted, found));
    if (!found || problems.length === 0) return problems;
    return setInVapi(this.commands, this.queries, vapiNumberId, wanted);
  }

  private problemsOf(
    number: Pick<PhoneNumber, 'kind' | 'twilioSid'>,
    twilioNumber: OwnedNumber | null | 'not-ours',
    vapiProblems: string[],
  ): string[] {
    const problems: string[] = [];
    if (twilioNumber === 'not-ours') return vapiProblems;
    if (!twilioNumber) problems.push(`Twilio no longer has ${number.twilioSid}`);
    else if (number.kind === 'purchased' && this.vapi.numberProvider === 'byo-phone-number') {
      if (twilioNumber.trunkSid !== this.twilio.sipTrunkSid)
        problems.push(`the Twilio number is not on SIP trunk ${this.twilio.sipTrunkSid}`);
    } else if (twilioNumber.voiceUrl !== `${this.vapi.baseUrl}/twilio/inbound_call`) {
      problems.push(`the Twilio number's voice URL is ${twilioNumber.voiceUrl ?? 'not set'}, not Vapi's`);
    }
    return [...problems, ...vapiProblems];
  }

  /** The Twilio number as its account holds it; `not-ours` for a SIP number, whose carrier we cannot read. */
  private twilioSideOf(
    number: Pick<
      PhoneNumber,
      'id' | 'kind' | 'twilioSid' | 'customerTwilioAccountSid' | 'sealedTwilioAuthToken'
    >,
  ): Promise<OwnedNumber | null | 'not-ours'> {
    switch (number.kind) {
      case 'purchased':
        return this.telephony.fetch(number.twilioSid!);
      case 'imported-twilio':
        return this.telephony
          .inAccount({
            accountSid: number.customerTwilioAccountSid!,
            authToken: this.seal.open(number.sealedTwilioAuthToken, number.id),
          })
          .fetch(number.twilioSid!);
      case 'imported-sip':
        return Promise.resolve('not-ours');
    }
  }
}
