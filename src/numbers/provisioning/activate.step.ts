import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { TwilioConfig, VapiConfig } from '../../config/index.js';
import { TelephonyPort, type OwnedNumber } from '../../telephony/index.js';
import { CheckVapiRegistrationQuery } from '../../voice-agent/index.js';
import { CustomerTokenSeal } from '../import-number/customer-token-seal.js';
import type { PhoneNumber } from '../phone-number.entity.js';
import { wantedInVapi } from './register.step.js';

/**
 * The `activate` step's work: one round trip to each provider, in parallel. A number is reported live only when
 * both sides read back as provisioned: the Vapi number has the agent's assistant, our webhook and the project's
 * fallback (voice-agent checks what it registered), and the Twilio number routes to Vapi (its voice URL is Vapi's
 * inbound endpoint, or in BYO mode it sits on the SIP trunk). An imported Twilio number is read back from the
 * customer's account, with their credentials; a SIP number's carrier is not ours to read: Vapi's side only.
 */
@Injectable()
export class ActivateStep {
  constructor(
    private readonly telephony: TelephonyPort,
    private readonly queries: QueryBus,
    private readonly vapi: VapiConfig,
    private readonly twilio: TwilioConfig,
    private readonly seal: CustomerTokenSeal,
  ) {}

  /** What would keep a call from reaching the agent; empty when nothing would. (A restore reads back the same.) */
  async problemsOf(
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
  ): Promise<string[]> {
    const wanted = await wantedInVapi(this.queries, number);
    const [twilioNumber, vapiProblems] = await Promise.all([
      this.twilioSideOf(number),
      this.queries.execute(new CheckVapiRegistrationQuery(number.vapiNumberId!, wanted)),
    ]);
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
