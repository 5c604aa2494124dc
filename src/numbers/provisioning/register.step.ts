import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GetProjectQuery } from '../../tenancy/index.js';
import { GetAgentQuery, RegisterWithVapiCommand } from '../../voice-agent/index.js';
import { vapiNameOf, type PhoneNumber } from '../phone-number.entity.js';
import type { Attempt } from './provisioning-steps.js';

/**
 * The `register` step's work: one Vapi round trip, `RegisterWithVapi` with the agent's assistant and the project's
 * fallback. The Twilio side needs nothing more: in Twilio mode Vapi's import sets the voice URL itself, and in BYO
 * mode the purchase put the number on the SIP trunk. Vapi is asked whether it has the number already only when an
 * earlier attempt's outcome is unknown.
 */
@Injectable()
export class RegisterStep {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async register(number: Readonly<PhoneNumber>, attempt: Attempt): Promise<string> {
    const [project, agent] = await Promise.all([
      this.queries.execute(new GetProjectQuery(number.projectId)),
      this.queries.execute(new GetAgentQuery(number.projectId, number.agentId)),
    ]);
    const { vapiNumberId } = await this.commands.execute(
      new RegisterWithVapiCommand({
        e164: number.e164!,
        name: vapiNameOf(number.projectId),
        assistantId: agent.vapiAssistantId,
        fallbackNumber: project.fallbackNumber,
        mayExist: attempt.previousOutcomeUnknown,
      }),
    );
    return vapiNumberId;
  }
}
