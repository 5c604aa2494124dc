import type { EntityManager } from '@mikro-orm/core';
import { NumbersConfig } from '../../config/index.js';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import { failpoint } from '../../shared/failpoints/failpoints.js';
import { OutboxSubscriber, type DeliveryError, type OutboxHandler } from '../../shared/outbox/index.js';
import {
  NumberImportRequestedEvent,
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberRequestedEvent,
  type NumberEventPayload,
} from '../events/number-events.js';
import type { PhoneNumber, ProvisioningStepName } from '../phone-number.entity.js';
import { NumberNotReadyError, refusalError } from '../phone-number.errors.js';
import { ActivateStep } from './activate.step.js';
import { ProvisioningMetrics } from './provisioning.metrics.js';
import { ProvisioningSteps, stepErrorOf } from './provisioning-steps.js';
import { PurchaseStep } from './purchase.step.js';
import { RegisterStep, type WantedInVapi } from './register.step.js';

type ProvisioningEvent = NumberEventPayload & { step?: ProvisioningStepName };

/** The process manager's outbox subscriber name (its deliveries are tracked by it). */
export const PROVISIONING_SUBSCRIBER = 'numbers.provisioning';

/**
 * The provisioning flow, whole: from the click's intent (`POST /api/numbers`, `buy-number/`) to a number whose calls
 * reach the agent. Three steps, in this order, each one outbox delivery of the event the step before recorded:
 *
 *     NumberRequested           ──► 1. purchase  (Twilio: buy)                    ──► NumberPurchased
 *     NumberPurchased           ──► 2. register  (Vapi: create)                   ──► NumberRegisteredWithVapi
 *     NumberRegisteredWithVapi  ──► 3. activate  (Twilio and Vapi: read back, in parallel) ──► NumberActivated
 *
 * Register and activate each read what Vapi is to hold (the agent's assistant, the project's fallback) when they
 * run, so a number converges on the project as it is: a fallback changed during the provisioning (a change asks
 * nothing of a number not live yet) is set by activation, which gives Vapi the current settings when it reads back
 * others (two more Vapi round trips, in the same attempt), and one changed after its read-back becomes the live
 * number's own change.
 *
 * On a first attempt with nothing in the way that is three provider round trips in sequence. Each attempt runs in
 * three parts (`ProvisioningSteps.run`): record it, call the provider with no transaction open, record the outcome
 * with the next event in one transaction; so every step is retried on its own and a crash anywhere resumes where
 * the last commit left off.
 *
 * - A retry: a failure that may pass (a timeout, a 5xx, a rate limit, a number not ready yet) is recorded and
 *   thrown; the outbox delivers the event again with backoff. When the attempt's outcome is unknown, the next one
 *   first looks for what it may have left behind (the purchase's mark in Twilio, the number in Vapi).
 * - A refusal (Twilio sells nothing in the area code, or not the number asked for): the number ends `refused`,
 *   holding nothing, with the typed reason the click's answer gives.
 * - A failure no retry can fix (a rejected request, a conflict with another of our numbers): the step fails once,
 *   with its code, for an operator (`POST /api/numbers/:id/retry` runs it again: `NumberProvisioningRetried`).
 * - Exhaustion: a step out of attempts fails the number with its last error (`onExhausted`).
 *
 * An imported number (`number-import.process-manager.ts`) skips the purchase and runs the same `register` and
 * `activate` (the steps read the number's kind).
 *
 * The answer to the click (`BuyNumberHandler`): 201 once the number is `active`, the refusal's 4xx once it is
 * `refused`, otherwise 202 with the number as it stands (still provisioning, or failed).
 */
@OutboxSubscriber({
  name: PROVISIONING_SUBSCRIBER,
  events: [
    NumberRequestedEvent.TYPE,
    NumberPurchasedEvent.TYPE,
    NumberRegisteredWithVapiEvent.TYPE,
    NumberProvisioningRetriedEvent.TYPE,
  ],
})
export class NumberProvisioningProcessManager implements OutboxHandler<ProvisioningEvent> {
  constructor(
    private readonly steps: ProvisioningSteps,
    private readonly purchaseStep: PurchaseStep,
    private readonly registerStep: RegisterStep,
    private readonly activateStep: ActivateStep,
    private readonly metrics: ProvisioningMetrics,
    private readonly config: NumbersConfig,
  ) {}

  handle(event: EventEnvelope<ProvisioningEvent>): Promise<void> {
    return this.run(stepOf(event), event.payload.numberId);
  }

  /** Runs one attempt of a step (a redelivery of a step already done changes nothing). */
  run(step: ProvisioningStepName, numberId: string): Promise<void> {
    switch (step) {
      case 'purchase':
        return this.purchase(numberId);
      case 'register':
        return this.register(numberId);
      case 'activate':
        return this.activate(numberId);
    }
  }

  /** 1. Buy a number from Twilio; then register it, or end refused. */
  async purchase(numberId: string): Promise<void> {
    await this.steps.run(numberId, 'purchase', async (number, attempt) => {
      failpoint('numbers.purchase.before-provider');
      const outcome = await this.purchaseStep.buy(number, attempt);
      failpoint('numbers.purchase.after-provider');
      if (outcome.kind === 'refused') {
        const { refusal } = outcome;
        return (n) => n.refused(refusal, stepErrorOf(refusalError(refusal, n.id)));
      }
      const { owned } = outcome;
      return (n) => {
        n.purchased({ e164: owned.phoneNumber, twilioSid: owned.sid });
        n.begin('register');
      };
    });
  }

  /** 2. Register the number with Vapi; then activate it. */
  async register(numberId: string): Promise<void> {
    await this.steps.run(numberId, 'register', async (number, attempt) => {
      const vapiNumberId = await this.registerStep.register(number, attempt);
      failpoint('numbers.register.after-provider');
      return (n) => {
        n.registeredWithVapi(vapiNumberId);
        n.begin('activate');
      };
    });
  }

  /** 3. Read both sides back; the number is active only when calls would reach the agent. */
  async activate(numberId: string): Promise<void> {
    let confirmed: WantedInVapi | undefined;
    const active = await this.steps.run(numberId, 'activate', async (number) => {
      const readBack = await this.activateStep.readBack(number);
      if (readBack.problems.length > 0) throw new NumberNotReadyError(readBack.problems);
      confirmed = readBack.confirmed;
      failpoint('numbers.activate.after-provider');
      return (n) => n.activated(this.config.monthlyCostCents);
    });
    if (!active) return;
    // Observed once the activation is committed, not inside its transaction.
    this.metrics.activated(active.createdAt, active.activatedAt!);
    await this.followMovedSettings(active, confirmed!);
  }

  /**
   * The project's fallback changed after the read-back and before the activation committed: its change found the
   * number not live yet and asked nothing of it. Read once the number is live (from then on a fallback change reaches
   * it), settings that moved are asked as a change of its own, which the change flow pushes to Vapi. A crash before
   * this leaves the drift to the reconciliation, which sets the fallback back.
   */
  private async followMovedSettings(number: PhoneNumber, confirmed: WantedInVapi): Promise<void> {
    if (await this.activateStep.movedSince(number, confirmed)) {
      await this.steps.requestChangeIfLive(number.id, { fallbackChanged: true });
    }
  }

  /** The step ran out of attempts: the number fails with the last error, in the same transaction. */
  onExhausted(
    event: EventEnvelope<ProvisioningEvent>,
    error: DeliveryError,
    em: EntityManager,
  ): Promise<void> {
    return this.steps.failExhausted(em, event, error, () => stepOf(event));
  }
}

/** The step each event starts: the order of the flow, as the diagram above draws it. */
function stepOf(event: EventEnvelope<ProvisioningEvent>): ProvisioningStepName {
  switch (event.type) {
    case NumberRequestedEvent.TYPE:
      return 'purchase';
    case NumberPurchasedEvent.TYPE:
    case NumberImportRequestedEvent.TYPE: // an import's flow starts here (number-import.process-manager.ts)
      return 'register';
    case NumberRegisteredWithVapiEvent.TYPE:
      return 'activate';
    default:
      return event.payload.step!;
  }
}
