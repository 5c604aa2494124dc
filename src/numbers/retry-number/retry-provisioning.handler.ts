import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotFailedError, PhoneNumberNotFoundError } from '../phone-number.errors.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { RetryProvisioningCommand } from './retry-provisioning.command.js';

@CommandHandler(RetryProvisioningCommand)
export class RetryProvisioningHandler implements ICommandHandler<RetryProvisioningCommand> {
  constructor(private readonly em: EntityManager) {}

  async execute({ id }: RetryProvisioningCommand): Promise<PhoneNumberResponse> {
    // Locked, so that two retries at once start the step once (the second finds it no longer failed).
    return this.em.transactional(async (tx) => {
      const number = await tx.findOne(PhoneNumber, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!number) throw new PhoneNumberNotFoundError(id);
      if (number.status !== 'failed') throw new NumberNotFailedError(id, number.status);
      number.retry();
      return PhoneNumberResponse.of(number);
    });
  }
}
