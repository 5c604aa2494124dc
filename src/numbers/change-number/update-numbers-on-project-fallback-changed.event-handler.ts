import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import { OutboxSubscriber, type OutboxHandler } from '../../shared/outbox/index.js';
import { ProjectFallbackChangedEvent } from '../../tenancy/index.js';
import { PhoneNumber } from '../phone-number.entity.js';

/**
 * A project's fallback changed (tenancy's event): every live number of the project gets a change of its own
 * (`NumberChangeRequested`, one outbox delivery per number, see `number-change.process-manager.ts`), recorded in one
 * transaction. A number still being provisioned gets none: its steps read the project as it is when they run, and
 * its activation gives Vapi the fallback of that moment (`activate.step.ts`, `NumberProvisioningProcessManager`).
 * At least once: a second delivery asks again, which pushes the same settings again, harmlessly.
 */
@OutboxSubscriber({ name: 'numbers.project-fallback', events: [ProjectFallbackChangedEvent.TYPE] })
export class UpdateNumbersOnProjectFallbackChangedHandler implements OutboxHandler<
  ProjectFallbackChangedEvent['payload']
> {
  constructor(private readonly em: EntityManager) {}

  async handle(event: EventEnvelope<ProjectFallbackChangedEvent['payload']>): Promise<void> {
    await this.em.transactional(async (tx) => {
      const numbers = await tx.find(
        PhoneNumber,
        { projectId: event.payload.projectId, status: 'active' },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      for (const number of numbers) number.requestChange({ fallbackChanged: true });
    });
  }
}
