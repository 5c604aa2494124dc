import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../shared/domain/domain-event.js';
import { EventProjection, type ProjectionWrite } from '../shared/consumers/event-projection.js';
import { OutboxSubscriber } from '../shared/outbox/index.js';
import {
  NumberActivatedEvent,
  NumberProvisioningFailedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberReleasedEvent,
  NumberRequestedEvent,
  NumberRestoredEvent,
  type NumberEventPayload,
} from '../numbers/index.js';
import { CallEndedEvent } from '../voice-agent/index.js';

export const ANALYTICS_CONSUMER = 'analytics';
const EVENTS = [
  NumberRequestedEvent.TYPE,
  NumberPurchasedEvent.TYPE,
  NumberRegisteredWithVapiEvent.TYPE,
  NumberActivatedEvent.TYPE,
  NumberProvisioningFailedEvent.TYPE,
  NumberReleasedEvent.TYPE,
  NumberRestoredEvent.TYPE,
  CallEndedEvent.TYPE,
] as const;

/** The funnel column each milestone event sets. */
const MILESTONES: Record<
  string,
  'requested_at' | 'purchased_at' | 'registered_at' | 'activated_at' | 'released_at' | 'restored_at'
> = {
  [NumberRequestedEvent.TYPE]: 'requested_at',
  [NumberPurchasedEvent.TYPE]: 'purchased_at',
  [NumberRegisteredWithVapiEvent.TYPE]: 'registered_at',
  [NumberActivatedEvent.TYPE]: 'activated_at',
  [NumberReleasedEvent.TYPE]: 'released_at',
  [NumberRestoredEvent.TYPE]: 'restored_at',
};

/** The time a milestone event carries of its own (the moment it took effect), else its `occurredAt`. */
const TIME_FIELD: Record<string, 'activatedAt' | 'releasedAt' | 'restoredAt'> = {
  [NumberActivatedEvent.TYPE]: 'activatedAt',
  [NumberReleasedEvent.TYPE]: 'releasedAt',
  [NumberRestoredEvent.TYPE]: 'restoredAt',
};

/**
 * Analytics' view of the domain events: per number, when each provisioning milestone was first reached (the
 * event's `occurredAt`, or `activatedAt` for the activation; the earliest wins, so order and repeats do not
 * matter), each failure with its step and code, and each call (once per Vapi call id).
 */
@OutboxSubscriber({ name: ANALYTICS_CONSUMER, events: EVENTS })
export class AnalyticsProjection extends EventProjection {
  readonly name = ANALYTICS_CONSUMER;
  readonly events = EVENTS;
  readonly appliedTable = 'analytics_applied_event';
  readonly tables = ['analytics_number_funnel', 'analytics_provisioning_failure', 'analytics_call'];

  constructor(em: EntityManager) {
    super(em);
  }

  protected writes(event: EventEnvelope): ProjectionWrite[] {
    const milestone = MILESTONES[event.type];
    if (milestone) {
      const p = event.payload as NumberEventPayload & Partial<Record<string, string>>;
      const field = TIME_FIELD[event.type];
      const at = field && p[field] ? new Date(p[field]) : event.occurredAt;
      return [
        {
          into: `analytics_number_funnel as f (tenant_id, number_id, project_id, ${milestone})`,
          values: [event.tenantId, p.numberId, p.projectId, at],
          onConflict: `on conflict (tenant_id, number_id) do update set ${milestone} = least(f.${milestone}, excluded.${milestone})`,
        },
      ];
    }
    if (event.type === NumberProvisioningFailedEvent.TYPE) {
      const p = event.payload as NumberProvisioningFailedEvent['payload'];
      return [
        {
          into: 'analytics_provisioning_failure (tenant_id, event_id, number_id, step, code, failed_at)',
          values: [event.tenantId, event.eventId, p.numberId, p.step, p.code, event.occurredAt],
          onConflict: 'on conflict do nothing',
        },
      ];
    }
    if (event.type === CallEndedEvent.TYPE) {
      const p = event.payload as CallEndedEvent['payload'];
      return [
        {
          into: 'analytics_call (tenant_id, vapi_call_id, project_id, number_id, e164, ended_at, duration_seconds)',
          values: [
            event.tenantId,
            p.vapiCallId,
            p.projectId,
            p.numberId ?? null,
            p.e164 ?? null,
            new Date(p.endedAt),
            Math.ceil(p.durationSeconds ?? 0),
          ],
          onConflict: 'on conflict do nothing',
        },
      ];
    }
    return [];
  }
}
