import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotReadyError } from '../phone-number.errors.js';
import { setInVapi, wantedInVapi, type WantedInVapi } from '../provisioning/register.step.js';

/**
 * The `update` step's work: Vapi's number is made to hold what the number is to answer with now (the pending
 * change's agent, or its own, and the project's fallback as it is now), in one PATCH, then read back with the check
 * activation uses (`CheckVapiRegistration`). Pushing the whole of it makes the step idempotent and makes changes
 * that arrive out of order converge on the latest. Answers what Vapi now holds.
 */
@Injectable()
export class UpdateStep {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async push(number: Readonly<PhoneNumber>): Promise<WantedInVapi & { vapiNumberId: string }> {
    const vapiNumberId = number.vapiNumberId!;
    const wanted = await wantedInVapi(this.queries, {
      projectId: number.projectId,
      agentId: number.pendingChange?.agentId ?? number.agentId,
    });
    const problems = await setInVapi(this.commands, this.queries, vapiNumberId, wanted);
    if (problems.length > 0) throw new NumberNotReadyError(problems);
    return { ...wanted, vapiNumberId };
  }
}
