import { randomUUID } from 'node:crypto';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumbersConfig } from '../../config/index.js';
import type { IdempotentResponse } from '../../shared/idempotency/index.js';
import { TenantQuotas } from '../../tenancy/index.js';
import { validAreaCode } from '../area-codes.js';
import { LIVE_NUMBERS_QUERY, PhoneNumber } from '../phone-number.entity.js';
import { NumberOutcome } from '../number-outcome.js';
import { projectAndAgent } from '../project-and-agent.js';
import { NumberQuotaExceededError, RequestedNumberUnavailableError } from '../phone-number.errors.js';
import { StepHandOffs } from '../provisioning/step-hand-offs.js';
import { BuyNumberCommand } from './buy-number.command.js';

@CommandHandler(BuyNumberCommand)
export class BuyNumberHandler implements ICommandHandler<BuyNumberCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
    private readonly quotas: TenantQuotas,
    private readonly config: NumbersConfig,
    private readonly outcome: NumberOutcome,
    private readonly handOffs: StepHandOffs,
  ) {}

  async execute({
    tenantId,
    request,
    idempotencyKey,
    respondAsync,
  }: BuyNumberCommand): Promise<IdempotentResponse> {
    const areaCode = request.number ? null : (request.areaCode ?? this.config.defaultAreaCode);
    if (areaCode !== null) validAreaCode(areaCode);
    await projectAndAgent(this.queries, request);

    // A request whose first run died after recording its intent resumes that intent rather than buying again.
    const earlier = idempotencyKey ? await this.em.findOne(PhoneNumber, { idempotencyKey }) : null;
    if (earlier) return this.outcome.of(earlier.id, { wait: !respondAsync });
    // The number as its creation commits it is the answer's first state (no read of it).
    const numberId = randomUUID();
    return this.outcome.ofCreated(
      numberId,
      () => this.recordIntent(numberId, tenantId, request, areaCode, idempotencyKey),
      { wait: !respondAsync },
    );
  }

  private async recordIntent(
    numberId: string,
    tenantId: string,
    request: BuyNumberCommand['request'],
    areaCode: string | null,
    idempotencyKey: string | undefined,
  ): Promise<PhoneNumber> {
    try {
      // The purchase step's delivery, started at the commit, takes the number as committed (no read of it).
      return await this.handOffs.offeringIn((handOver) =>
        this.em.transactional(async (tx) => {
          const reservation = await this.quotas.reservePurchase(tenantId, {
            idempotencyKey,
            liveNumbersQuery: LIVE_NUMBERS_QUERY,
          });
          if (!reservation.reserved) throw new NumberQuotaExceededError(reservation.maxNumbers);
          const number = new PhoneNumber({
            id: numberId,
            tenantId,
            projectId: request.projectId,
            agentId: request.agentId,
            areaCode,
            requestedNumber: request.number ?? null,
            idempotencyKey,
          });
          number.startNextStep();
          tx.persist(number);
          handOver(number);
          return number;
        }),
      );
    } catch (error) {
      // Another request is buying this very number right now.
      if (error instanceof UniqueConstraintViolationException && request.number) {
        throw new RequestedNumberUnavailableError(request.number);
      }
      throw error;
    }
  }
}
