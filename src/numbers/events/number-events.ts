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

/** The intent is committed: a number will be bought for the project. */
export class NumberRequestedEvent extends DomainEvent<
  NumberEventPayload & { areaCode: string | null; requestedNumber: string | null }
> {
  static readonly TYPE = 'numbers.number-requested';
  readonly type = NumberRequestedEvent.TYPE;
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
