import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { NumbersConfig } from '../../config/index.js';
import { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotReleasableError, PhoneNumberNotFoundError } from '../phone-number.errors.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { ReleaseNumberCommand } from './release-number.command.js';

/**
 * Records the release (`NumberReleaseRequested`) in one transaction with the number locked, so that a step's outcome
 * committed at the same moment is either seen here or sees the release; the release flow
 * (`number-release.process-manager.ts`) runs from there. Asking again changes nothing (the same answer), unless a
 * release step failed for good: then it runs again.
 */
@CommandHandler(ReleaseNumberCommand)
export class ReleaseNumberHandler implements ICommandHandler<ReleaseNumberCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly config: NumbersConfig,
  ) {}

  async execute({ id }: ReleaseNumberCommand): Promise<PhoneNumberResponse> {
    return this.em.transactional(async (tx) => {
      const number = await tx.findOne(PhoneNumber, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!number) throw new PhoneNumberNotFoundError(id);
      if (number.status === 'refused') throw new NumberNotReleasableError(id, number.status);
      number.requestRelease(this.config.releaseGraceMs);
      return PhoneNumberResponse.of(number);
    });
  }
}
