import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { GetAgentQuery } from '../../voice-agent/index.js';
import { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotActiveError, PhoneNumberNotFoundError } from '../phone-number.errors.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { ChangeNumberCommand } from './change-number.command.js';

/**
 * Records the change (`NumberChangeRequested`, shown as `pendingChange`) with the number locked; the change flow
 * (`number-change.process-manager.ts`) pushes it to Vapi and reads it back, and only then does the number's `agentId`
 * say so. The agent must be one of the number's project's. Asking for what is already there, or already on its way,
 * records nothing.
 */
@CommandHandler(ChangeNumberCommand)
export class ChangeNumberHandler implements ICommandHandler<ChangeNumberCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
  ) {}

  async execute({ id, changes }: ChangeNumberCommand): Promise<PhoneNumberResponse> {
    const found = await this.em.fork().findOne(PhoneNumber, id);
    if (!found) throw new PhoneNumberNotFoundError(id);
    await this.queries.execute(new GetAgentQuery(found.projectId, changes.agentId));
    return this.em.transactional(async (tx) => {
      const number = await tx.findOneOrFail(PhoneNumber, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (number.status !== 'active') throw new NumberNotActiveError(id, number.status);
      const wanted = number.pendingChange?.agentId ?? number.agentId;
      if (wanted !== changes.agentId || number.stepState('update').status === 'failed') {
        number.requestChange({ agentId: changes.agentId });
      }
      return PhoneNumberResponse.of(number);
    });
  }
}
