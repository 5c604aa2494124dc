import { DomainEvent } from '../../shared/domain/domain-event.js';

/**
 * What a number is: `purchased` on our Twilio account (the only kind we pay Twilio for, and may release there),
 * `imported-twilio` from the customer's own Twilio account, `imported-sip` from another carrier through the
 * customer's SIP trunk.
 */
export type NumberKind = 'purchased' | 'imported-twilio' | 'imported-sip';

/** What every event of a number's life carries, so that a consumer needs nothing else to act. */
export type NumberEventPayload = {
  numberId: string;
  projectId: string;
  agentId: string;
  /** E.164; null until the number is bought. */
  e164: string | null;
  /** Absent in events recorded before numbers had kinds: those are `purchased` (`kindOf`). */
  kind?: NumberKind;
};

/** The number's kind, as an event says it. */
export function kindOf(payload: { kind?: NumberKind }): NumberKind {
  return payload.kind ?? 'purchased';
}

/** Whether the number is the customer's own (imported): it has no Twilio fee of ours. */
export function isImported(kind: NumberKind): boolean {
  return kind !== 'purchased';
}

/**
 * Whether releasing the number may release it at Twilio: only a number we bought. An imported number stays the
 * customer's; releasing it only detaches it from Vapi.
 */
export function releasesAtTwilio(kind: NumberKind): boolean {
  return kind === 'purchased';
}

/**
 * Whether a released number of this kind is kept for a restore during the grace period. Not a number of the
 * customer's own Twilio account: Vapi needs the customer's auth token to take it again, and we keep that token only
 * until the number is live (`PhoneNumber.activated`). Its release is final at once, and costs the customer nothing
 * (it is still in their account): importing it again, with the token, brings it back.
 */
export function restorableAfterRelease(kind: NumberKind): boolean {
  return kind !== 'imported-twilio';
}

/** The intent is committed: a number will be bought for the project. */
export class NumberRequestedEvent extends DomainEvent<
  NumberEventPayload & { areaCode: string | null; requestedNumber: string | null }
> {
  static readonly TYPE = 'numbers.number-requested';
  readonly type = NumberRequestedEvent.TYPE;
}

/**
 * The customer proved they own the number (their Twilio account has it, or it comes through their SIP trunk) and
 * the intent to import it is committed: it will be registered in Vapi with their connection, then activated.
 */
export class NumberImportRequestedEvent extends DomainEvent<
  NumberEventPayload & { e164: string; kind: NumberKind }
> {
  static readonly TYPE = 'numbers.number-import-requested';
  readonly type = NumberImportRequestedEvent.TYPE;
}

/** Twilio sold us the number. */
export class NumberPurchasedEvent extends DomainEvent<
  NumberEventPayload & { e164: string; twilioSid: string }
> {
  static readonly TYPE = 'numbers.number-purchased';
  readonly type = NumberPurchasedEvent.TYPE;
}

/** Vapi holds the number with the agent's assistant, our webhook and the fallback. */
export class NumberRegisteredWithVapiEvent extends DomainEvent<
  NumberEventPayload & { e164: string; vapiNumberId: string }
> {
  static readonly TYPE = 'numbers.number-registered-with-vapi';
  readonly type = NumberRegisteredWithVapiEvent.TYPE;
}

/** Both sides read back as expected: calls to the number reach the agent. Billing starts here. */
export class NumberActivatedEvent extends DomainEvent<
  NumberEventPayload & {
    e164: string;
    twilioSid: string;
    vapiNumberId: string;
    activatedAt: string;
    /** What the number costs us a month, in US cents, for billing: 0 for an imported number. */
    monthlyCostCents: number;
  }
> {
  static readonly TYPE = 'numbers.number-activated';
  readonly type = NumberActivatedEvent.TYPE;
}

/** A step ran out of attempts (or met an error no retry can fix); the number stays failed until retried. */
export class NumberProvisioningFailedEvent extends DomainEvent<
  NumberEventPayload & { step: string; code: string; message: string }
> {
  static readonly TYPE = 'numbers.number-provisioning-failed';
  readonly type = NumberProvisioningFailedEvent.TYPE;
}

/** Someone asked to run a failed step again. */
export class NumberProvisioningRetriedEvent extends DomainEvent<NumberEventPayload & { step: string }> {
  static readonly TYPE = 'numbers.number-provisioning-retried';
  readonly type = NumberProvisioningRetriedEvent.TYPE;
}

/**
 * A change to a live number is on its way to Vapi (another agent, the project's new fallback): the lifecycle's
 * `update` step pushes it. `changeId` names the change, so that an older attempt never confirms a newer one.
 */
export class NumberChangeRequestedEvent extends DomainEvent<
  NumberEventPayload & { changeId: string; toAgentId: string | null; fallbackChanged: boolean }
> {
  static readonly TYPE = 'numbers.number-change-requested';
  readonly type = NumberChangeRequestedEvent.TYPE;
}

/** Vapi's number answers with the new agent's assistant (read back), and our record says so. */
export class NumberReassignedEvent extends DomainEvent<
  NumberEventPayload & { previousAgentId: string; vapiNumberId: string; assistantId: string }
> {
  static readonly TYPE = 'numbers.number-reassigned';
  readonly type = NumberReassignedEvent.TYPE;
}

/** Vapi's number has the project's new fallback (read back). */
export class NumberFallbackUpdatedEvent extends DomainEvent<
  NumberEventPayload & { vapiNumberId: string; fallbackNumber: string | null }
> {
  static readonly TYPE = 'numbers.number-fallback-updated';
  readonly type = NumberFallbackUpdatedEvent.TYPE;
}

/**
 * The customer released the number (`DELETE /api/numbers/:id`). `graceUntil`: kept at Twilio, detached from Vapi,
 * for a restore until then (null: released at Twilio at once).
 */
export class NumberReleaseRequestedEvent extends DomainEvent<
  NumberEventPayload & { graceUntil: string | null }
> {
  static readonly TYPE = 'numbers.number-release-requested';
  readonly type = NumberReleaseRequestedEvent.TYPE;
}

/** A release asked for while a provisioning step was in flight: that step is over, the rest of provisioning is not run. */
export class NumberProvisioningCancelledEvent extends DomainEvent<NumberEventPayload & { step: string }> {
  static readonly TYPE = 'numbers.number-provisioning-cancelled';
  readonly type = NumberProvisioningCancelledEvent.TYPE;
}

/** Vapi no longer holds the number: calls to it no longer reach the agent. */
export class NumberDetachedFromVapiEvent extends DomainEvent<
  NumberEventPayload & { vapiNumberId: string | null }
> {
  static readonly TYPE = 'numbers.number-detached-from-vapi';
  readonly type = NumberDetachedFromVapiEvent.TYPE;
}

/**
 * The number is no longer the customer's (billing stops at `releasedAt`). Without a grace period Twilio has released
 * it; with one (`graceUntil`), Twilio keeps it for us until then, detached from Vapi, and a restore may bring it back.
 */
export class NumberReleasedEvent extends DomainEvent<
  NumberEventPayload & {
    releasedAt: string;
    graceUntil: string | null;
    twilioSid: string | null;
    /** Whether Twilio still holds it for a restore (the grace period). */
    heldAtTwilio: boolean;
  }
> {
  static readonly TYPE = 'numbers.number-released';
  readonly type = NumberReleasedEvent.TYPE;
}

/** A scheduled delivery (`deliverAt` = `dueAt`): the grace period ends, and Twilio is to release the number. */
export class NumberReleaseDueEvent extends DomainEvent<NumberEventPayload & { dueAt: string }> {
  static readonly TYPE = 'numbers.number-release-due';
  readonly type = NumberReleaseDueEvent.TYPE;
}

/** The grace period ended and Twilio released the number: it can no longer be restored. */
export class NumberReleasedAtTwilioEvent extends DomainEvent<
  NumberEventPayload & { twilioSid: string | null }
> {
  static readonly TYPE = 'numbers.number-released-at-twilio';
  readonly type = NumberReleasedAtTwilioEvent.TYPE;
}

/** The customer asked for a released number back within its grace period (`POST /api/numbers/:id/restore`). */
export class NumberRestoreRequestedEvent extends DomainEvent<NumberEventPayload> {
  static readonly TYPE = 'numbers.number-restore-requested';
  readonly type = NumberRestoreRequestedEvent.TYPE;
}

/** The number is attached again as it was (read back): calls reach the agent, billing resumes at `restoredAt`. */
export class NumberRestoredEvent extends DomainEvent<
  NumberEventPayload & {
    e164: string;
    twilioSid: string;
    vapiNumberId: string;
    restoredAt: string;
    monthlyCostCents: number;
  }
> {
  static readonly TYPE = 'numbers.number-restored';
  readonly type = NumberRestoredEvent.TYPE;
}

/** Twilio no longer has the number (released behind our back): calls to it reach no one; found by reconciliation. */
export class NumberDegradedEvent extends DomainEvent<
  NumberEventPayload & { twilioSid: string | null; reason: string }
> {
  static readonly TYPE = 'numbers.number-degraded';
  readonly type = NumberDegradedEvent.TYPE;
}

/**
 * What a reconciliation repaired (`repair`):
 * - `vapi-registered`: Vapi had lost the number; it is registered again (`vapiNumberId` is the new one);
 * - `vapi-updated`: Vapi's assistant, server URL or fallback differed from ours (`problems`); set back;
 * - `purchase-resumed`: Twilio holds a number under this one's mark though its purchase failed; the purchase runs
 *   again and adopts it;
 * - `abandoned-released`: a Twilio number under this one's mark that it does not hold (`twilioSid`) was released.
 */
export class NumberRepairedEvent extends DomainEvent<
  NumberEventPayload & {
    repair: 'vapi-registered' | 'vapi-updated' | 'purchase-resumed' | 'abandoned-released';
    problems: string[];
    twilioSid: string | null;
    vapiNumberId: string | null;
  }
> {
  static readonly TYPE = 'numbers.number-repaired';
  readonly type = NumberRepairedEvent.TYPE;
}
