import type { EntityManager } from '@mikro-orm/core';
import { NumbersConfig } from '../../config/index.js';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import { failpoint } from '../../shared/failpoints/failpoints.js';
import { OutboxSubscriber, type DeliveryError, type OutboxHandler } from '../../shared/outbox/index.js';
import {
  NumberDetachedFromVapiEvent,
  NumberProvisioningCancelledEvent,
  NumberReleaseDueEvent,
  NumberReleaseRequestedEvent,
  NumberRestoreRequestedEvent,
  type NumberEventPayload,
} from '../events/number-events.js';
import type { PhoneNumber } from '../phone-number.entity.js';
import { NumberNotReadyError } from '../phone-number.errors.js';
import { ActivateStep } from '../provisioning/activate.step.js';
import { ProvisioningSteps } from '../provisioning/provisioning-steps.js';
import { RegisterStep } from '../provisioning/register.step.js';
import { DetachStep } from './detach.step.js';
import { ReleaseStep } from './release.step.js';

/**
 * The release flow, whole: from `DELETE /api/numbers/:id` (`release-number/`) to a number Twilio no longer holds for
 * us, with the grace period and the restore in between. Each step is one outbox delivery of the event the step before
 * recorded, run in three parts like provisioning's (`ProvisioningSteps.run`: record the attempt, call the provider
 * with no transaction open, record the outcome with the next event), so a crash anywhere resumes with no client
 * retrying:
 *
 *     NumberReleaseRequested        ──► 1. detach   (Vapi: delete the number)      ──► NumberDetachedFromVapi
 *       (or NumberProvisioningCancelled, when the release waited for a provisioning step in flight)
 *     NumberDetachedFromVapi        ──► 2. release  (Twilio: release the number)   ──► NumberReleased (`released`)
 *
 * With `NUMBER_RELEASE_GRACE_HOURS` (a number that was live): the detach releases it to the customer at once
 * (`NumberReleased`, `heldAtTwilio`, billing stops) and schedules the end of the grace period, a delivery due then:
 *
 *     NumberReleaseDue (at graceUntil) ──► 2. release (Twilio)                     ──► NumberReleasedAtTwilio
 *     POST /restore before then (`NumberRestoreRequested`) ──► 3. reattach (Vapi: register as it was, read both
 *                                                          sides back, as activation does) ──► NumberRestored (`active`)
 *
 * - Releasing twice asks for nothing new (the same 202). A release asked while a provisioning step (or a restore) is
 *   in flight waits for that step's outcome, which hands over to `detach` (`NumberProvisioningCancelled`); whatever a
 *   step left without recording it is looked for by its marks (Twilio's FriendlyName, Vapi's E.164), so nothing is
 *   left behind in either provider.
 * - A retryable failure is tried again with backoff; a step out of attempts fails alone (`steps.<step>.lastError`),
 *   and the same request (`DELETE`, or `POST /restore`) runs it again.
 * - Round trips: one to Vapi, one to Twilio; a restore: Vapi's registration, then both read-backs at once.
 */
@OutboxSubscriber({
  name: 'numbers.release',
  events: [
    NumberReleaseRequestedEvent.TYPE,
    NumberProvisioningCancelledEvent.TYPE,
    NumberDetachedFromVapiEvent.TYPE,
    NumberReleaseDueEvent.TYPE,
    NumberRestoreRequestedEvent.TYPE,
  ],
})
export class NumberReleaseProcessManager implements OutboxHandler<NumberEventPayload> {
  constructor(
    private readonly steps: ProvisioningSteps,
    private readonly detachStep: DetachStep,
    private readonly releaseStep: ReleaseStep,
    private readonly registerStep: RegisterStep,
    private readonly activateStep: ActivateStep,
    private readonly config: NumbersConfig,
  ) {}

  async handle(event: EventEnvelope<NumberEventPayload>): Promise<void> {
    const { numberId } = event.payload;
    switch (event.type) {
      case NumberReleaseRequestedEvent.TYPE:
      case NumberProvisioningCancelledEvent.TYPE:
        // A request asked again re-arms whichever release step failed: detach, or Twilio's release.
        if (!(await this.detach(numberId))) await this.release(numberId);
        return;
      case NumberDetachedFromVapiEvent.TYPE:
      case NumberReleaseDueEvent.TYPE:
        await this.release(numberId);
        return;
      case NumberRestoreRequestedEvent.TYPE:
        await this.reattach(numberId);
        return;
    }
  }

  /** 1. Vapi holds the number no more; then Twilio's release, now or when the grace period ends. */
  async detach(numberId: string): Promise<PhoneNumber | null> {
    return this.steps.run(numberId, 'detach', async (number) => {
      await this.detachStep.detach(number);
      failpoint('numbers.detach.after-provider');
      return (n) => n.detached();
    });
  }

  /** 2. Twilio releases the number (never before the grace period ends): released for good. */
  async release(numberId: string): Promise<PhoneNumber | null> {
    return this.steps.run(numberId, 'release', async (number) => {
      failpoint('numbers.release.before-provider');
      await this.releaseStep.release(number);
      return (n) => n.releasedFromTwilio();
    });
  }

  /** 3. Within the grace period: Vapi holds the number again as it was, and both sides read back; it is live. */
  async reattach(numberId: string): Promise<PhoneNumber | null> {
    return this.steps.run(numberId, 'reattach', async (number, attempt) => {
      const vapiNumberId = await this.registerStep.register(number, attempt);
      const { problems } = await this.activateStep.readBack({ ...pick(number), vapiNumberId });
      if (problems.length > 0) throw new NumberNotReadyError(problems);
      return (n) => n.restored(vapiNumberId, this.config.monthlyCostCents);
    });
  }

  /** The step ran out of attempts: it fails alone, in the same transaction, until the customer asks again. */
  onExhausted(
    event: EventEnvelope<NumberEventPayload>,
    error: DeliveryError,
    em: EntityManager,
  ): Promise<void> {
    return this.steps.failExhausted(em, event, error, (number) => {
      const step = number.currentStep;
      return step === 'detach' || step === 'release' || step === 'reattach' ? step : null;
    });
  }
}

function pick(number: Readonly<PhoneNumber>) {
  return {
    id: number.id,
    projectId: number.projectId,
    agentId: number.agentId,
    kind: number.kind,
    twilioSid: number.twilioSid,
    customerTwilioAccountSid: number.customerTwilioAccountSid,
    sealedTwilioAuthToken: number.sealedTwilioAuthToken,
  };
}
