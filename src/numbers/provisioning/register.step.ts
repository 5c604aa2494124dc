import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  CheckVapiRegistrationQuery,
  RegisterWithVapiCommand,
  UpdateVapiNumberCommand,
  type VapiNumberConnection,
} from '../../voice-agent/index.js';
import { CustomerTokenSeal } from '../import-number/customer-token-seal.js';
import { vapiNameOf, type PhoneNumber } from '../phone-number.entity.js';
import { projectAndAgent } from '../project-and-agent.js';
import type { Attempt } from './provisioning-steps.js';

/** What Vapi is to hold for a number of a project answering with an agent. */
export interface WantedInVapi {
  name: string;
  assistantId: string;
  fallbackNumber: string | null;
}

/**
 * What Vapi is to hold for the number, as the project and the agent are now: the project's tag as its name, the
 * agent's assistant, the project's fallback. Registration, activation's read-back and a change all ask this.
 */
export async function wantedInVapi(
  queries: QueryBus,
  number: { projectId: string; agentId: string },
): Promise<WantedInVapi> {
  const { project, agent } = await projectAndAgent(queries, number);
  return {
    name: vapiNameOf(number.projectId),
    assistantId: agent.vapiAssistantId,
    fallbackNumber: project.fallbackNumber,
  };
}

/**
 * Gives the Vapi number the settings of ours it should hold and reads it back: the problems left (none when Vapi
 * now holds them). A change and activation (finding other settings of ours) both do this.
 */
export async function setInVapi(
  commands: CommandBus,
  queries: QueryBus,
  vapiNumberId: string,
  wanted: WantedInVapi,
): Promise<string[]> {
  await commands.execute(new UpdateVapiNumberCommand(vapiNumberId, wanted));
  return queries.execute(new CheckVapiRegistrationQuery(vapiNumberId, wanted));
}

/**
 * The `register` step's work: one Vapi round trip, `RegisterWithVapi` with the agent's assistant and the project's
 * fallback. The Twilio side needs nothing more: in Twilio mode Vapi's import sets the voice URL itself, and in BYO
 * mode the purchase put the number on the SIP trunk. Vapi is asked whether it has the number already only when an
 * earlier attempt's outcome is unknown. A restore (`reattach`) registers the same way. An imported number is
 * registered with the customer's connection: their Twilio account (the sealed token opened for this call only) or
 * their SIP credential.
 */
@Injectable()
export class RegisterStep {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly seal: CustomerTokenSeal,
  ) {}

  async register(
    number: Readonly<PhoneNumber>,
    attempt: Pick<Attempt, 'previousOutcomeUnknown'>,
  ): Promise<string> {
    const wanted = await wantedInVapi(this.queries, number);
    const { vapiNumberId } = await this.commands.execute(
      new RegisterWithVapiCommand({
        e164: number.e164!,
        ...wanted,
        mayExist: attempt.previousOutcomeUnknown,
        connection: this.connectionOf(number),
      }),
    );
    return vapiNumberId;
  }

  /** How Vapi reaches a customer's number; undefined for ours (the configured mode). */
  private connectionOf(number: Readonly<PhoneNumber>): VapiNumberConnection | undefined {
    switch (number.kind) {
      case 'purchased':
        return undefined;
      case 'imported-twilio':
        return {
          provider: 'twilio',
          accountSid: number.customerTwilioAccountSid!,
          authToken: this.seal.open(number.sealedTwilioAuthToken, number.id),
        };
      case 'imported-sip':
        return { provider: 'byo-phone-number', credentialId: number.sipCredentialId! };
    }
  }
}
