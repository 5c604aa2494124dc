import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TenantQuotas } from '../../tenancy/index.js';
import { restorableAfterRelease } from '../events/number-events.js';
import { LIVE_STATUSES, PhoneNumber } from '../phone-number.entity.js';
import {
  NumberNotRestorableError,
  NumberQuotaExceededError,
  PhoneNumberNotFoundError,
} from '../phone-number.errors.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { RestoreNumberCommand } from './restore-number.command.js';

/**
 * Records the restore (`NumberRestoreRequested`) with the number locked: only while it is released, still at Twilio,
 * before its grace period ends and before Twilio's release began (a release at Twilio cannot be undone); the release
 * flow's `reattach` step registers it in Vapi again as it was. The number counts against `TENANT_MAX_NUMBERS` again,
 * counted under the tenant's lock that purchases take (`TenantQuotas.reserveReturn`), held until this transaction
 * commits: two restores, or a restore and a purchase, at once never take the last place twice.
 */
@CommandHandler(RestoreNumberCommand)
export class RestoreNumberHandler implements ICommandHandler<RestoreNumberCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly quotas: TenantQuotas,
  ) {}

  async execute({ id }: RestoreNumberCommand): Promise<PhoneNumberResponse> {
    return this.em.transactional(async (tx) => {
      const number = await tx.findOne(PhoneNumber, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!number) throw new PhoneNumberNotFoundError(id);
      if (number.status === 'restoring' && !number.restorable()) return PhoneNumberResponse.of(number);
      if (!number.restorable()) throw new NumberNotRestorableError(id, number.status, whyNot(number));
      if (number.status !== 'restoring') {
        const reservation = await this.quotas.reserveReturn(number.tenantId, {
          countLiveNumbers: () => tx.count(PhoneNumber, { status: { $in: [...LIVE_STATUSES] } }),
        });
        if (!reservation.reserved) throw new NumberQuotaExceededError(reservation.maxNumbers);
      }
      number.requestRestore();
      return PhoneNumberResponse.of(number);
    });
  }
}

function whyNot(number: PhoneNumber): string {
  if (!restorableAfterRelease(number.kind))
    return (
      "it is a number of the customer's own Twilio account, whose release is final at once (we keep no token of " +
      'theirs to register it again): import it again'
    );
  if (number.status !== 'released') return `it is ${number.status}, not released`;
  if (!number.graceUntil) return 'it was released without a grace period';
  return `its grace period ended at ${number.graceUntil.toISOString()}; Twilio has released it, or is releasing it`;
}
