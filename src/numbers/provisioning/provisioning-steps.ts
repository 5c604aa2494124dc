import { Injectable, Logger } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager as AnyEntityManager } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import type { DeliveryError } from '../../shared/outbox/index.js';
import { TENANT_FILTER } from '../../tenancy/index.js';
import { DomainError, ProviderFailureError } from '../../shared/errors/index.js';
import { currentDeliveryLease, DeliveryLeaseLostError } from '../../shared/outbox/index.js';
import { PhoneNumber, type StepError, type StepName } from '../phone-number.entity.js';
import { NumberConflictError } from '../phone-number.errors.js';
import { ProvisioningMetrics } from './provisioning.metrics.js';
import { StepHandOffs } from './step-hand-offs.js';

/** What a step's work returns: the change to make to the number once the provider calls are done. */
export type StepOutcome = (number: PhoneNumber) => void;

/** What an attempt knows of the attempts before it. */
export interface Attempt {
  /** 1 for the first attempt; a retry after a failure keeps counting. */
  number: number;
  /**
   * Whether the attempt before may have done its work without our knowing (a timeout, a 5xx, a crash mid-call):
   * only then is it worth asking the provider what that attempt left behind.
   */
  previousOutcomeUnknown: boolean;
}

/** Provider failures that may pass, and anything unexpected, are tried again; business refusals are not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderFailureError) return error.retryable;
  return !(error instanceof DomainError);
}

/**
 * Whether a failed attempt may still have done its work at the provider. Only a 429 is known not to have (Twilio
 * never processes a request it answers 429: https://www.twilio.com/docs/api/errors/20429); a timeout, a dropped
 * connection, a 5xx or anything unexpected may have.
 */
function outcomeUnknownAfter(error: unknown): boolean {
  return !(error instanceof ProviderFailureError && error.diagnostics.status === 429);
}

/**
 * What a failed step records, and `GET /api/numbers/:id` shows: our code and message, and the details meant for
 * the caller. A provider's raw answer (its diagnostics) and an unexpected error's text are logged, not recorded.
 */
export function stepErrorOf(error: unknown): StepError {
  if (error instanceof DomainError) {
    return Object.keys(error.details).length > 0
      ? { code: error.code, message: error.message, details: error.details }
      : { code: error.code, message: error.message };
  }
  return { code: 'INTERNAL.ERROR', message: 'An unexpected error occurred. It has been logged.' };
}

/**
 * Runs one attempt of a provisioning step, in three parts, so that no database transaction is ever open across a
 * provider call: (1) the attempt is recorded and committed; (2) the work calls Twilio or Vapi; (3) its outcome is
 * recorded, with the event the next step reacts to, in a transaction of its own. A redelivered event for a step
 * already done is a no-op. A retryable failure is recorded and rethrown (the outbox tries again with backoff);
 * any other failure fails the step at once. An outcome that names a number another of ours holds fails the step
 * once, with `NUMBERS.CONFLICT`, for an operator: no retry can change it.
 *
 * Each of its transactions first confirms the outbox delivery's lease (`currentDeliveryLease()?.confirm`; the
 * outcome's settles the delivery with it, `settleIn`): an attempt whose lease another relay has taken over (this one
 * hung for a whole lease) writes nothing, neither its start nor its outcome, so a step is never run twice beside
 * itself to completion; the relay that took over runs it, knowing the earlier attempt's outcome unknown.
 */
@Injectable()
export class ProvisioningSteps {
  private readonly logger = new Logger('Provisioning');

  constructor(
    private readonly em: EntityManager,
    private readonly metrics: ProvisioningMetrics,
    private readonly handOffs: StepHandOffs,
  ) {}

  async run(
    numberId: string,
    step: StepName,
    work: (number: Readonly<PhoneNumber>, attempt: Attempt) => Promise<StepOutcome>,
  ): Promise<PhoneNumber | null> {
    // Answers the number once its outcome is committed, or null when this attempt changed nothing.
    // Each part locks the row, so that a request changing the number at the same time (a release, a restore, a
    // change) is either seen by the part or sees what the part did, never overwritten by it.
    const started =
      (await this.startedWithItsStep(numberId, step)) ??
      (await this.em.transactional(async (tx) => {
        await currentDeliveryLease()?.confirm(tx);
        const number = await tx.findOne(PhoneNumber, numberId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!number?.isAt(step) || number.yieldsToRelease(step)) return null;
        const { previousOutcomeUnknown } = number.startAttempt(step);
        return { number, attempt: { number: number.stepState(step).attempts, previousOutcomeUnknown } };
      }));
    if (!started) return null;
    this.metrics.attempt(step);

    let outcome: StepOutcome;
    try {
      outcome = await work(started.number, started.attempt);
    } catch (error) {
      await this.recordFailure(numberId, step, error);
      if (isRetryable(error)) throw error;
      return null;
    }

    try {
      return await this.handOffs.offeringIn((handOver) =>
        this.em.transactional(async (tx) => {
          // The attempt's last transaction: its outcome, the next step's event and this delivery's settlement
          // commit together.
          await currentDeliveryLease()?.settleIn(tx);
          const number = await tx.findOneOrFail(PhoneNumber, numberId, {
            lockMode: LockMode.PESSIMISTIC_WRITE,
          });
          if (!number.isAt(step)) return null;
          outcome(number);
          number.startNextStep();
          handOver(number);
          return number;
        }),
      );
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      this.logger.error({ numberId, step, err: error }, `step ${step} conflicts with another number`);
      await this.recordFailure(numberId, step, new NumberConflictError());
      return null;
    }
  }

  /**
   * The attempt recorded with the step by the transaction that moved the number to it (`startNextStep`), when this
   * delivery is the one it was recorded for: the delivery's first attempt finding the step's first attempt running.
   * Then nothing is to be recorded before the provider call, and the number as that transaction committed it (handed
   * over in this process, `StepHandOffs`) or one read replaces the locking transaction. Anything else (a retry, a
   * delivery taken over after a crash: its attempt counts two) records its attempt as before.
   */
  private async startedWithItsStep(
    numberId: string,
    step: StepName,
  ): Promise<{ number: PhoneNumber; attempt: Attempt } | null> {
    const lease = currentDeliveryLease();
    if (!lease) return null;
    const number =
      (lease.attempt === 1 ? await this.handOffs.take(numberId, step) : undefined) ??
      (await this.em.findOne(PhoneNumber, numberId, { refresh: true }));
    const state = number?.stepState(step);
    if (!number?.isAt(step) || state?.status !== 'running' || state.attempts !== lease.attempt) return null;
    return { number, attempt: { number: state.attempts, previousOutcomeUnknown: false } };
  }

  /**
   * A step's delivery ran out of attempts (an `onExhausted` hook): the step the event stands for (`stepOf` the number)
   * fails with its last error, in the relay's transaction `em`, if the number is still at it.
   */
  async failExhausted(
    em: AnyEntityManager,
    event: EventEnvelope<{ numberId: string }>,
    error: DeliveryError,
    stepOf: (number: PhoneNumber) => StepName | null,
  ): Promise<void> {
    const number = await em.findOne(
      PhoneNumber,
      { id: event.payload.numberId },
      { filters: { [TENANT_FILTER]: { tenantId: event.tenantId } } },
    );
    const step = number && stepOf(number);
    if (!number || !step || !number.isAt(step)) return;
    const last = number.stepState(step).lastError;
    number.failStep(step, last ?? { code: error.code, message: error.message });
    this.logger.error(
      { numberId: number.id, step, code: last?.code ?? error.code },
      `step ${step} ran out of attempts`,
    );
  }

  /** Asks a change of the number if it is live (a number that is not takes none: it reads the project as it goes). */
  async requestChangeIfLive(numberId: string, change: { fallbackChanged: true }): Promise<void> {
    await this.em.transactional(async (tx) => {
      const number = await tx.findOne(PhoneNumber, numberId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (number?.status === 'active') number.requestChange(change);
    });
  }

  /** Records a failed attempt: the step waits for its retry, or fails now when no retry can help. */
  private async recordFailure(numberId: string, step: StepName, error: unknown): Promise<void> {
    if (error instanceof DeliveryLeaseLostError) throw error; // another relay's attempt now: nothing to record
    const stepError = stepErrorOf(error);
    const retryable = isRetryable(error);
    this.metrics.failure(step, stepError.code, retryable);
    this.logger.warn(
      {
        numberId,
        step,
        code: stepError.code,
        retryable,
        ...(error instanceof DomainError ? { diagnostics: error.diagnostics } : { err: error }),
      },
      `step ${step} failed: ${stepError.message}`,
    );
    await this.em.transactional(async (tx) => {
      await currentDeliveryLease()?.confirm(tx);
      // Read again from the database: after a refused commit, the entity in memory still carries that outcome.
      const number = await tx.findOneOrFail(PhoneNumber, numberId, {
        refresh: true,
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      if (!number.isAt(step)) return;
      if (retryable) number.attemptFailed(step, stepError, outcomeUnknownAfter(error));
      else number.failStep(step, stepError);
    });
  }
}
