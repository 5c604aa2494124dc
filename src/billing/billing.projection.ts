import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../shared/domain/domain-event.js';
import { EventProjection, type ProjectionWrite } from '../shared/consumers/event-projection.js';
import { OutboxSubscriber } from '../shared/outbox/index.js';
import {
  NumberActivatedEvent,
  NumberReleasedEvent,
  NumberRestoredEvent,
  isImported,
  kindOf,
  type NumberEventPayload,
} from '../numbers/index.js';
import { CallEndedEvent } from '../voice-agent/index.js';
import { billedMinutes, callSeconds, usdToCents, type NumberKind } from './usage-rules.js';

type Payload<E extends { payload: unknown }> = E['payload'];

/** A number went live or dark, as billing records it (one row per event; intervals are derived when read). */
export interface NumberTransitionRecord {
  numberId: string;
  projectId: string;
  e164: string;
  state: 'live' | 'dark';
  kind: NumberKind;
  monthlyCostCents: number;
  at: Date;
}

export const BILLING_CONSUMER = 'billing';
const EVENTS = [
  NumberActivatedEvent.TYPE,
  NumberReleasedEvent.TYPE,
  NumberRestoredEvent.TYPE,
  CallEndedEvent.TYPE,
] as const;

/**
 * Billing's view of the domain events: the number transitions that open and close live intervals, and the calls.
 * An activation opens an interval at `activatedAt` with the monthly cost the event carries, `imported` (no fee of
 * ours) when the event's number kind is an imported one (an import is activated like a purchase), else `purchased`.
 * A release closes it at `releasedAt` (`dark`: the number is detached, whether or not Twilio keeps it for a grace
 * period); a restore opens one again at `restoredAt`, with the number's kind and the monthly cost it carries. A
 * release of a number that never held one (cancelled mid-purchase) is nothing to bill.
 */
@OutboxSubscriber({ name: BILLING_CONSUMER, events: EVENTS })
export class BillingProjection extends EventProjection {
  readonly name = BILLING_CONSUMER;
  readonly events = EVENTS;
  readonly appliedTable = 'billing_applied_event';
  readonly tables = ['billing_number_transition', 'billing_call'];

  constructor(em: EntityManager) {
    super(em);
  }

  protected writes(event: EventEnvelope): ProjectionWrite[] {
    switch (event.type) {
      case NumberActivatedEvent.TYPE: {
        const p = event.payload as Payload<NumberActivatedEvent>;
        return [transitionWrite(event, transition(p, 'live', p.activatedAt, p.monthlyCostCents))];
      }
      case NumberReleasedEvent.TYPE: {
        const p = event.payload as Payload<NumberReleasedEvent>;
        if (p.e164 === null) return [];
        return [transitionWrite(event, transition({ ...p, e164: p.e164 }, 'dark', p.releasedAt, 0))];
      }
      case NumberRestoredEvent.TYPE: {
        const p = event.payload as Payload<NumberRestoredEvent>;
        return [transitionWrite(event, transition(p, 'live', p.restoredAt, p.monthlyCostCents))];
      }
      case CallEndedEvent.TYPE:
        return [callWrite(event)];
      default:
        return [];
    }
  }
}

function transitionWrite(event: EventEnvelope, t: NumberTransitionRecord): ProjectionWrite {
  return {
    into: `billing_number_transition
      (tenant_id, event_id, number_id, project_id, e164, state, kind, monthly_cost_cents, at)`,
    values: [
      event.tenantId,
      event.eventId,
      t.numberId,
      t.projectId,
      t.e164,
      t.state,
      t.kind,
      t.monthlyCostCents,
      t.at,
    ],
    onConflict: 'on conflict (tenant_id, event_id) do nothing',
  };
}

/** One row per Vapi call: a second report of the same call (another event) changes nothing. */
function callWrite(event: EventEnvelope): ProjectionWrite {
  const p = event.payload as Payload<CallEndedEvent>;
  const seconds = callSeconds(p.durationSeconds);
  return {
    into: `billing_call
      (tenant_id, vapi_call_id, project_id, number_id, e164, ended_at, duration_seconds, billed_minutes, cost_cents)`,
    values: [
      event.tenantId,
      p.vapiCallId,
      p.projectId,
      p.numberId ?? null,
      p.e164 ?? null,
      new Date(p.endedAt),
      seconds,
      billedMinutes(seconds),
      usdToCents(p.cost),
    ],
    onConflict: 'on conflict (tenant_id, vapi_call_id) do nothing',
  };
}

/** A number event's transition: the number, its kind (an imported one has no fee of ours), and when it took effect. */
function transition(
  p: NumberEventPayload & { e164: string },
  state: NumberTransitionRecord['state'],
  at: string,
  monthlyCostCents: number,
): NumberTransitionRecord {
  return {
    numberId: p.numberId,
    projectId: p.projectId,
    e164: p.e164,
    state,
    kind: isImported(kindOf(p)) ? 'imported' : 'purchased',
    monthlyCostCents,
    at: new Date(at),
  };
}
