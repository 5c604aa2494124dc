import type { EntityManager } from '@mikro-orm/core';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import { OutboxSubscriber, type DeliveryError, type OutboxHandler } from '../../shared/outbox/index.js';
import { NumberChangeRequestedEvent } from '../events/number-events.js';
import { PhoneNumber } from '../phone-number.entity.js';
import { ProvisioningSteps } from '../provisioning/provisioning-steps.js';
import { UpdateStep } from './update.step.js';

/**
 * The change flow, whole: a live number answers with another agent (`PATCH /api/numbers/:id`, `change-number/`), or
 * with its project's new fallback (`tenancy.project-fallback-changed`, one change per live number of the project).
 * One step, one outbox delivery, in three parts like provisioning's (`ProvisioningSteps.run`):
 *
 *     NumberChangeRequested ──► update (Vapi: PATCH the number, then read it back) ──► NumberReassigned
 *                                                                                    and/or NumberFallbackUpdated
 *
 * While it is on its way the number shows `pendingChange`; its `agentId` changes only once Vapi reads back with the
 * new assistant. Two round trips. One push at a time per number (a second change waits for the first attempt to end),
 * each pushing everything the number is to hold now, so that the last change asked for is the one Vapi keeps. A
 * retryable failure is tried again with backoff; a step out of attempts fails alone (`steps.update.lastError`, the
 * number stays live as it was, `pendingChange` kept) until the change is asked again. A release cancels a change.
 */
@OutboxSubscriber({ name: 'numbers.change', events: [NumberChangeRequestedEvent.TYPE] })
export class NumberChangeProcessManager implements OutboxHandler<NumberChangeRequestedEvent['payload']> {
  constructor(
    private readonly steps: ProvisioningSteps,
    private readonly updateStep: UpdateStep,
  ) {}

  async handle(event: EventEnvelope<NumberChangeRequestedEvent['payload']>): Promise<void> {
    await this.update(event.payload.numberId);
  }

  /** Vapi's number holds the change, read back; the number's record says so. */
  async update(numberId: string): Promise<PhoneNumber | null> {
    return this.steps.run(numberId, 'update', async (number) => {
      const changeId = number.pendingChange!.id;
      const applied = await this.updateStep.push(number);
      return (n) => n.changeApplied(changeId, applied);
    });
  }

  onExhausted(
    event: EventEnvelope<NumberChangeRequestedEvent['payload']>,
    error: DeliveryError,
    em: EntityManager,
  ): Promise<void> {
    return this.steps.failExhausted(em, event, error, () => 'update');
  }
}
