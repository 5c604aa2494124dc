import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from '@mikro-orm/core';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import { OutboxSubscriber, type DeliveryError, type OutboxHandler } from '../../shared/outbox/index.js';
import { TENANT_FILTER } from '../../tenancy/index.js';
import { ActivateNumberCommand } from '../activate-number/activate-number.command.js';
import {
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberRequestedEvent,
  type NumberEventPayload,
} from '../events/number-events.js';
import { PhoneNumber, type StepName } from '../phone-number.entity.js';
import { PurchaseNumberCommand } from '../purchase-number/purchase-number.command.js';
import { RegisterNumberCommand } from '../register-number/register-number.command.js';

type ProvisioningEvent = NumberEventPayload & { step?: string };

/**
 * The provisioning flow, whole:
 *
 *     NumberRequested ──► PurchaseNumber (Twilio) ──► NumberPurchased
 *     NumberPurchased ──► RegisterNumber (→ RegisterWithVapi) ──► NumberRegisteredWithVapi
 *     NumberRegisteredWithVapi ──► ActivateNumber (read both sides back) ──► NumberActivated
 *     a step out of attempts ──► NumberProvisioningFailed;  POST /retry ──► NumberProvisioningRetried ──► that step
 *
 * Each event reaches this process manager through the outbox, after the commit that recorded it, so every step
 * runs (and is retried with backoff) on its own, and a crash anywhere resumes where the last commit left off.
 * Its state is the number's `status` and `steps`.
 */
@OutboxSubscriber({
  name: 'numbers.provisioning',
  events: [
    NumberRequestedEvent.TYPE,
    NumberPurchasedEvent.TYPE,
    NumberRegisteredWithVapiEvent.TYPE,
    NumberProvisioningRetriedEvent.TYPE,
  ],
})
export class NumberProvisioningProcessManager implements OutboxHandler<ProvisioningEvent> {
  private readonly logger = new Logger('Provisioning');

  constructor(private readonly commands: CommandBus) {}

  async handle(event: EventEnvelope<ProvisioningEvent>): Promise<void> {
    const { numberId } = event.payload;
    switch (stepFor(event)) {
      case 'purchase':
        return this.commands.execute(new PurchaseNumberCommand(numberId));
      case 'register':
        return this.commands.execute(new RegisterNumberCommand(numberId));
      case 'activate':
        return this.commands.execute(new ActivateNumberCommand(numberId));
    }
  }

  /** The step ran out of attempts: the number fails with the last error, in the same transaction. */
  async onExhausted(
    event: EventEnvelope<ProvisioningEvent>,
    error: DeliveryError,
    em: EntityManager,
  ): Promise<void> {
    const step = stepFor(event);
    const number = await em.findOne(
      PhoneNumber,
      { id: event.payload.numberId },
      { filters: { [TENANT_FILTER]: { tenantId: event.tenantId } } },
    );
    if (!number?.isAt(step)) return;
    const last = number.steps[step].lastError;
    number.failStep(step, last ?? { code: error.code, message: error.message });
    this.logger.error(
      { numberId: number.id, step, code: last?.code ?? error.code },
      `step ${step} ran out of attempts`,
    );
  }
}

function stepFor(event: EventEnvelope<ProvisioningEvent>): StepName {
  switch (event.type) {
    case NumberRequestedEvent.TYPE:
      return 'purchase';
    case NumberPurchasedEvent.TYPE:
      return 'register';
    case NumberRegisteredWithVapiEvent.TYPE:
      return 'activate';
    default:
      return event.payload.step as StepName;
  }
}
