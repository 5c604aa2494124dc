import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Outbox } from '../../shared/outbox/index.js';
import { PROVISIONING_SUBSCRIBER } from '../provisioning/number-provisioning.process-manager.js';
import { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotFailedError, PhoneNumberNotFoundError } from '../phone-number.errors.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { RetryProvisioningCommand } from './retry-provisioning.command.js';

@CommandHandler(RetryProvisioningCommand)
export class RetryProvisioningHandler implements ICommandHandler<RetryProvisioningCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  async execute({ id }: RetryProvisioningCommand): Promise<PhoneNumberResponse> {
    // Locked, so that two retries at once start the step once (the second finds it no longer failed).
    return this.em.transactional(async (tx) => {
      const number = await tx.findOne(PhoneNumber, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!number) throw new PhoneNumberNotFoundError(id);
      if (number.status !== 'failed') throw new NumberNotFailedError(id, number.status);
      number.retry();
      // The exhausted delivery that failed the step is settled by this retry: no longer reported as failed.
      await this.outbox.supersede(tx, PROVISIONING_SUBSCRIBER, { numberId: number.id });
      return PhoneNumberResponse.of(number);
    });
  }
}
