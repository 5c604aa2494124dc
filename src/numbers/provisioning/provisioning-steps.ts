import { Injectable, Logger } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, ProviderFailureError } from '../../shared/errors/index.js';
import { PhoneNumber, type StepError, type StepName } from '../phone-number.entity.js';
import { NumberConflictError } from '../phone-number.errors.js';
import { ProvisioningMetrics } from './provisioning.metrics.js';

/** What a step's work returns: the change to make to the number once the provider calls are done. */
export type StepOutcome = (number: PhoneNumber) => void;

/** Provider failures that may pass, and anything unexpected, are tried again; business refusals are not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderFailureError) return error.retryable;
  return !(error instanceof DomainError);
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
 * any other failure fails the step at once.
 */
@Injectable()
export class ProvisioningSteps {
  private readonly logger = new Logger('Provisioning');

  constructor(
    private readonly em: EntityManager,
    private readonly metrics: ProvisioningMetrics,
  ) {}

  async run(
    numberId: string,
    step: StepName,
    work: (number: Readonly<PhoneNumber>) => Promise<StepOutcome>,
  ): Promise<PhoneNumber | null> {
    // Answers the number once its outcome is committed, or null when this attempt changed nothing.
    const started = await this.em.transactional(async (tx) => {
      const number = await tx.findOne(PhoneNumber, numberId);
      if (!number?.isAt(step)) return null;
      number.startAttempt(step);
      return number;
    });
    if (!started) return null;
    this.metrics.attempt(step);

    let outcome: StepOutcome;
    try {
      outcome = await work(started);
    } catch (error) {
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
        const number = await tx.findOneOrFail(PhoneNumber, numberId);
        if (!number.isAt(step)) return;
        if (retryable) number.attemptFailed(step, stepError);
        else number.failStep(step, stepError);
      });
      if (retryable) throw error;
      return null;
    }

    try {
      return await this.em.transactional(async (tx) => {
        const number = await tx.findOneOrFail(PhoneNumber, numberId);
        if (!number.isAt(step)) return null;
        outcome(number);
        return number;
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      // The outcome names a number another row holds live (the providers and our records disagree): no retry
      // can change that; the step fails for an operator to look at.
      this.logger.error({ numberId, step, err: error }, `step ${step} conflicts with another number`);
      await this.em.transactional(async (tx) => {
        // Read again from the database: the entity in memory still carries the outcome that was refused.
        const number = await tx.findOneOrFail(PhoneNumber, numberId, { refresh: true });
        if (number.isAt(step)) {
          number.failStep(step, stepErrorOf(new NumberConflictError()));
        }
      });
      return null;
    }
  }
}
