import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { AggregateRoot } from '../shared/domain/aggregate-root.js';
import { TenantOwned } from '../tenancy/index.js';
import {
  NumberActivatedEvent,
  NumberChangeRequestedEvent,
  NumberDetachedFromVapiEvent,
  NumberFallbackUpdatedEvent,
  NumberProvisioningCancelledEvent,
  NumberReassignedEvent,
  NumberReleaseDueEvent,
  NumberReleaseRequestedEvent,
  NumberReleasedAtTwilioEvent,
  NumberReleasedEvent,
  NumberRestoreRequestedEvent,
  NumberRestoredEvent,
  NumberDegradedEvent,
  NumberImportRequestedEvent,
  NumberProvisioningFailedEvent,
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberRepairedEvent,
  NumberRequestedEvent,
  isImported,
  releasesAtTwilio,
  restorableAfterRelease,
  type NumberEventPayload,
  type NumberKind,
} from './events/number-events.js';

export type { NumberKind } from './events/number-events.js';

/**
 * The steps of provisioning. Their order is the provisioning process manager's to state
 * (`provisioning/number-provisioning.process-manager.ts`): the number only keeps each one's state.
 */
export type ProvisioningStepName = 'purchase' | 'register' | 'activate';
/**
 * The steps of a live number's life: `update` pushes a change to Vapi (`change-number/number-change.process-manager.ts`),
 * `detach` and `release` release the number (Vapi, then Twilio), `reattach` restores it
 * (`release-number/number-release.process-manager.ts`). Recorded once run.
 */
export type LifecycleStepName = 'update' | 'detach' | 'release' | 'reattach';
export type StepName = ProvisioningStepName | LifecycleStepName;
const PROVISIONING_STEPS: readonly StepName[] = ['purchase', 'register', 'activate'];
/** The steps a release waits for when one is in flight (each may leave something at a provider when it ends). */
const RELEASE_WAITS_FOR: readonly StepName[] = [...PROVISIONING_STEPS, 'reattach'];
/** `skipped`: a step the number's flow has no use for (an imported number is not bought). */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface StepState {
  status: StepStatus;
  attempts: number;
  lastError: StepError | null;
  /**
   * Whether the last attempt may have reached the provider without our knowing what it did: it timed out, lost its
   * connection, met a 5xx, or the process died mid-call (the attempt began and never recorded an outcome). Only
   * then does the next attempt look for what that one may have left behind.
   */
  outcomeUnknown?: boolean;
  updatedAt: string;
}

/** A number for sale in the same state or province, offered when the area code asked for has none. */
export interface NumberSuggestion {
  e164: string;
  friendlyName: string;
  locality: string | null;
  region: string | null;
}

/**
 * Why a purchase was refused, as the answer to the click needs it: typed, so that it is never rebuilt from a string.
 * A refused number holds nothing, is not listed and counts for no quota; its row stays, so that a replay of the
 * request (its Idempotency-Key) answers the same refusal.
 */
export type PurchaseRefusal =
  | { kind: 'none-available'; areaCode: string | null; suggestions: NumberSuggestion[] }
  | { kind: 'number-unavailable'; e164: string }
  | { kind: 'address-required'; e164: string };

/**
 * Where the number is in its life. The status names the step under way until it is `active`; `refused` is a purchase
 * Twilio would not make (nothing to retry, nothing held); `failed` is a step that needs an operator or a retry;
 * `degraded` is an active number Twilio no longer has (a reconciliation found it released behind our back).
 */
export type NumberStatus =
  | 'purchasing'
  | 'registering'
  | 'activating'
  | 'active'
  | 'refused'
  | 'failed'
  | 'degraded'
  | 'releasing'
  | 'released'
  | 'restoring';

/** Statuses that hold (or are about to hold) a number for the customer: they count against `TENANT_MAX_NUMBERS`. */
export const LIVE_STATUSES: readonly NumberStatus[] = [
  'purchasing',
  'registering',
  'activating',
  'active',
  'restoring',
];

/**
 * The count of a tenant's live numbers as one query, the tenant's id as its `$1`: what a purchase's reservation counts
 * under the tenant's lock (`TenantQuotas.reservePurchase`).
 */
export const LIVE_NUMBERS_QUERY = `select count(*)::int from phone_number
  where tenant_id = $1 and status in (${LIVE_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** The steps' state: provisioning's three from the start, the lifecycle's once they run. */
export type NumberSteps = Record<ProvisioningStepName, StepState> &
  Partial<Record<LifecycleStepName, StepState>>;

/** A change on its way to Vapi; the response shows it as `pendingChange`. */
export interface PendingChange {
  id: string;
  /** The agent the number is to answer with, when the change is a reassignment. */
  agentId: string | null;
  /** Whether the project's fallback changed (Vapi gets the project's fallback as it is when the step runs). */
  fallbackChanged: boolean;
  requestedAt: string;
}

/**
 * Whether a restore of the number may begin (`PhoneNumber.restorable`): released, still at Twilio, detached from
 * Vapi, its grace not over and Twilio's release not begun; or a restore whose reattachment failed for good; never a
 * number of the customer's own Twilio account (`restorableAfterRelease`). A function of the number's fields, so
 * that a list read without entities answers as the entity does.
 */
export function isRestorable(
  number: Pick<PhoneNumber, 'kind' | 'status' | 'steps' | 'graceUntil'>,
  now = new Date(),
): boolean {
  if (!restorableAfterRelease(number.kind)) return false;
  if (number.status === 'restoring') return number.steps.reattach?.status === 'failed';
  return (
    number.status === 'released' &&
    number.graceUntil !== null &&
    number.graceUntil > now &&
    number.steps.release?.status === 'pending'
  );
}

/** How long a change's attempt keeps the next one waiting (longer than a Vapi call and its read-back take). */
const CHANGE_IN_FLIGHT_MS = 60_000;

/** Another change of the number is being pushed to Vapi: this one waits (the outbox tries it again shortly). */
export class ChangeInFlightError extends Error {
  readonly code = 'NUMBERS.CHANGE_IN_FLIGHT';

  constructor(numberId: string) {
    super(`another change of number ${numberId} is on its way to Vapi`);
  }
}

const STATUS_OF_STEP: Record<ProvisioningStepName, NumberStatus> = {
  purchase: 'purchasing',
  register: 'registering',
  activate: 'activating',
};

/** The mark a purchase carries in Twilio's FriendlyName, so that an unknown outcome can be looked up. */
export function twilioMarkOf(numberId: string): string {
  return `ahf:${numberId}`;
}

/** The Vapi name of a project's number (at most 40 characters): it carries the project id for the sync. */
export function vapiNameOf(projectId: string): string {
  return `ahf:${projectId.replace(/-/g, '')}`;
}

/** How an imported number reaches Vapi, as its import request proved it (see `PhoneNumber.imported`). */
export type NumberImport =
  | {
      kind: 'imported-twilio';
      e164: string;
      /** The number's SID in the customer's account. */
      twilioSid: string;
      customerTwilioAccountSid: string;
      /** The customer's auth token, sealed (`import-number/customer-token-seal.ts`), until the number is active. */
      sealedTwilioAuthToken: string;
    }
  | { kind: 'imported-sip'; e164: string; sipCredentialId: string };

/** A number found in Vapi carrying a project's tag and held by no project: what the sync links (`PhoneNumber.linked`). */
export interface LinkedNumber {
  kind: NumberKind;
  e164: string;
  vapiNumberId: string;
  /** Ours (a purchased number); null when the number lives in a customer's account or at another carrier. */
  twilioSid: string | null;
  customerTwilioAccountSid: string | null;
  sipCredentialId: string | null;
}

/**
 * A phone number of a project, from the intent to buy it to its release. The aggregate of the provisioning flow:
 * its status and steps are the flow's state, and every change records the event the next step reacts to.
 */
@Entity({ tableName: 'phone_number' })
@TenantOwned()
export class PhoneNumber extends AggregateRoot {
  [OptionalProps]?:
    | 'e164'
    | 'twilioSid'
    | 'vapiNumberId'
    | 'status'
    | 'steps'
    | 'createdAt'
    | 'updatedAt'
    | 'activatedAt'
    | 'refusal'
    | 'idempotencyKey'
    | 'kind'
    | 'pendingChange'
    | 'releaseRequestedAt'
    | 'releasedAt'
    | 'graceUntil'
    | 'customerTwilioAccountSid'
    | 'sealedTwilioAuthToken'
    | 'sipCredentialId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  projectId: string;

  /** Bought by us, or the customer's own (see `NumberKind`); an imported number is never released at Twilio. */
  @Property({ type: 'string', length: 16 })
  kind: NumberKind = 'purchased';

  /** The agent it answers with; null only once released and the agent deleted. */
  @Property({ type: 'uuid', nullable: true })
  agentId: string;

  /** The area code searched when no number was named. */
  @Property({ type: 'string', length: 3, nullable: true })
  areaCode: string | null;

  /** The number the customer asked for, if any. */
  @Property({ type: 'string', length: 16, nullable: true })
  requestedNumber: string | null;

  /** E.164, once Twilio sold it to us. */
  @Property({ type: 'string', length: 16, nullable: true })
  e164: string | null = null;

  @Property({ type: 'string', length: 34, nullable: true })
  twilioSid: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  vapiNumberId: string | null = null;

  @Property({ type: 'string', length: 16 })
  status: NumberStatus = 'purchasing';

  @Property({ type: 'json' })
  steps: NumberSteps;

  /** Why Twilio would not sell a number, once the purchase is `refused`. */
  @Property({ type: 'json', nullable: true })
  refusal: PurchaseRefusal | null = null;

  /** The Idempotency-Key of the request that asked for it, so that a replay finds it again. */
  @Property({ type: 'string', length: 255, nullable: true })
  idempotencyKey: string | null = null;

  @Property()
  createdAt: Date = new Date();

  @Property({ onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  activatedAt: Date | null = null;

  /** A change on its way to Vapi (another agent, the project's new fallback), until it is read back. */
  @Property({ type: 'json', nullable: true })
  pendingChange: PendingChange | null = null;

  /** When the customer asked for the release (a release asked mid-provisioning waits for the step in flight). */
  @Property({ type: 'datetime', nullable: true })
  releaseRequestedAt: Date | null = null;

  /** When the number stopped being the customer's (detached from Vapi). */
  @Property({ type: 'datetime', nullable: true })
  releasedAt: Date | null = null;

  /** Until when a released number is kept at Twilio, detached from Vapi, for a restore; null without a grace period. */
  @Property({ type: 'datetime', nullable: true })
  graceUntil: Date | null = null;

  /** The customer's Twilio account an `imported-twilio` number is in. */
  @Property({ type: 'string', length: 34, nullable: true })
  customerTwilioAccountSid: string | null = null;

  /** Its auth token, sealed, for the steps of the import only: wiped once the number is active. */
  @Property({ type: 'text', nullable: true, hidden: true })
  sealedTwilioAuthToken: string | null = null;

  /** The Vapi `byo-sip-trunk` credential an `imported-sip` number comes through. */
  @Property({ type: 'string', length: 64, nullable: true })
  sipCredentialId: string | null = null;

  constructor(props: {
    /** Its id when the caller needs it before the number exists (to wait for it from before its commit). */
    id?: string;
    tenantId: string;
    projectId: string;
    agentId: string;
    areaCode: string | null;
    requestedNumber: string | null;
    idempotencyKey?: string | null;
  }) {
    super();
    if (props.id !== undefined) this.id = props.id;
    this.tenantId = props.tenantId;
    this.projectId = props.projectId;
    this.agentId = props.agentId;
    this.areaCode = props.requestedNumber ? null : props.areaCode;
    this.requestedNumber = props.requestedNumber;
    this.idempotencyKey = props.idempotencyKey ?? null;
    const now = new Date().toISOString();
    this.steps = {
      purchase: { status: 'pending', attempts: 0, lastError: null, updatedAt: now },
      register: { status: 'pending', attempts: 0, lastError: null, updatedAt: now },
      activate: { status: 'pending', attempts: 0, lastError: null, updatedAt: now },
    };
    this.recordEvent(
      new NumberRequestedEvent(this.tenantId, {
        ...this.payload(),
        areaCode: this.areaCode,
        requestedNumber: this.requestedNumber,
      }),
    );
  }

  /**
   * A number the customer already has, to import rather than buy: its purchase is `skipped` and its flow starts at
   * `register` (`NumberImportRequested`, see `provisioning/number-import.process-manager.ts`).
   */
  static imported(
    props: { id: string; tenantId: string; projectId: string; agentId: string },
    source: NumberImport,
  ): PhoneNumber {
    const { id, ...owner } = props;
    const number = new PhoneNumber({ ...owner, areaCode: null, requestedNumber: null });
    // The id the sealed token is bound to (its additional data).
    number.id = id;
    number.kind = source.kind;
    number.e164 = source.e164;
    number.status = 'registering';
    if (source.kind === 'imported-twilio') {
      number.twilioSid = source.twilioSid;
      number.customerTwilioAccountSid = source.customerTwilioAccountSid;
      number.sealedTwilioAuthToken = source.sealedTwilioAuthToken;
    } else {
      number.sipCredentialId = source.sipCredentialId;
    }
    number.setStep('purchase', { status: 'skipped' });
    // The constructor's NumberRequested is a purchase's intent: an import records its own.
    number.pullEvents();
    number.recordEvent(
      new NumberImportRequestedEvent(number.tenantId, {
        ...number.payload(),
        e164: source.e164,
        kind: source.kind,
      }),
    );
    return number;
  }

  /**
   * A number the sync found in Vapi, tagged with the project and held by no project, whose settings it has just
   * repaired: live at once (purchase and registration `skipped`, nothing to buy or register), `NumberActivated`
   * with its kind, so billing starts.
   */
  static linked(
    props: { tenantId: string; projectId: string; agentId: string },
    found: LinkedNumber,
    monthlyCostCents: number,
  ): PhoneNumber {
    const number = new PhoneNumber({ ...props, areaCode: null, requestedNumber: null });
    number.pullEvents();
    number.kind = found.kind;
    number.e164 = found.e164;
    number.vapiNumberId = found.vapiNumberId;
    number.twilioSid = found.twilioSid;
    number.customerTwilioAccountSid = found.customerTwilioAccountSid;
    number.sipCredentialId = found.sipCredentialId;
    number.setStep('purchase', { status: 'skipped' });
    number.setStep('register', { status: 'skipped' });
    number.status = 'activating';
    number.activated(monthlyCostCents);
    return number;
  }

  get twilioMark(): string {
    return twilioMarkOf(this.id);
  }

  /**
   * The step that runs now, or null when none does (refused, failed, released for good, active with nothing to
   * push). A released number in its grace period waits for `release` (Twilio), due when the grace ends.
   */
  get currentStep(): StepName | null {
    switch (this.status) {
      case 'purchasing':
        return 'purchase';
      case 'registering':
        return 'register';
      case 'activating':
        return 'activate';
      case 'active':
        return this.pendingChange ? 'update' : null;
      case 'releasing':
        return this.steps.detach?.status === 'succeeded' ? 'release' : 'detach';
      case 'released':
        return this.inGrace ? 'release' : null;
      case 'restoring':
        return 'reattach';
      default:
        return null;
    }
  }

  /**
   * Whether `step` is the one under way: a redelivered event for a step already done is then a no-op. A lifecycle
   * step that failed for good waits for the customer to ask again (the same request re-arms it).
   */
  isAt(step: StepName, now = new Date()): boolean {
    if (this.currentStep !== step || this.steps[step]?.status === 'failed') return false;
    // Twilio's release waits for the end of the grace period, whatever event comes early.
    return !(step === 'release' && this.graceUntil !== null && this.graceUntil > now);
  }

  /** Released, still at Twilio, detached from Vapi: a restore can bring it back until `graceUntil`. */
  get inGrace(): boolean {
    return (
      this.status === 'released' && this.graceUntil !== null && this.steps.release?.status !== 'succeeded'
    );
  }

  /**
   * Whether releasing the number releases it at Twilio: a number we bought is ours to release; an imported one lives
   * in the customer's Twilio account (or another carrier's) and is only detached from Vapi.
   */
  get releasedAtTwilio(): boolean {
    return releasesAtTwilio(this.kind);
  }

  /**
   * One more attempt of the current step begins. Answers whether the attempt before it left its outcome unknown: until
   * this attempt records one, its own outcome counts as unknown (a crash mid-call leaves it so).
   */
  startAttempt(step: StepName, now = new Date()): { previousOutcomeUnknown: boolean } {
    this.assertAt(step);
    const previous = this.stepState(step);
    // Two changes asked one after the other are two deliveries: one pushes to Vapi at a time, so that an older push
    // never lands after a newer one. One whose process died stops counting after a while.
    if (
      step === 'update' &&
      previous.status === 'running' &&
      now.getTime() - Date.parse(previous.updatedAt) < CHANGE_IN_FLIGHT_MS
    ) {
      throw new ChangeInFlightError(this.id);
    }
    const previousOutcomeUnknown = previous.status === 'running' || previous.outcomeUnknown === true;
    this.setStep(step, { status: 'running', attempts: previous.attempts + 1, outcomeUnknown: true });
    return { previousOutcomeUnknown };
  }

  /**
   * Starts the first attempt of the provisioning step the number has just moved to (or was created at), unless a
   * release takes over: in the transaction that moved it, so that the step's delivery, run right after that commit,
   * finds its attempt recorded and goes straight to its provider call (`ProvisioningSteps.run`).
   */
  startNextStep(now = new Date()): void {
    const next = this.currentStep;
    if (!next || !PROVISIONING_STEPS.includes(next)) return;
    const state = this.stepState(next);
    if (state.status !== 'pending' || state.attempts > 0 || this.yieldsToRelease(next)) return;
    this.startAttempt(next, now);
  }

  /** The attempt failed in a way a later attempt may not: the step waits for its retry. */
  attemptFailed(step: StepName, error: StepError, outcomeUnknown: boolean): void {
    this.assertAt(step);
    this.setStep(step, { status: 'pending', lastError: error, outcomeUnknown });
    this.handOverToRelease(step);
  }

  /**
   * The step cannot succeed (an error no retry can fix, or its attempts ran out). A provisioning step fails the
   * number; a lifecycle step fails alone (the number stays as it is: live with its change pending, or releasing),
   * until the same request asks again.
   */
  failStep(step: StepName, error: StepError): void {
    this.assertAt(step);
    this.setStep(step, { status: 'failed', lastError: error });
    if (!PROVISIONING_STEPS.includes(step)) return this.handOverToRelease(step);
    this.status = 'failed';
    this.recordFailure(step, error);
    this.handOverToRelease(step);
  }

  /**
   * Twilio would not sell a number (none for sale, or not the one asked for): the intent ends here, holding nothing.
   * `NumberProvisioningFailed` is still recorded, for the consumers that count attempts.
   */
  refused(refusal: PurchaseRefusal, error: StepError): void {
    this.assertAt('purchase');
    this.setStep('purchase', { status: 'failed', lastError: error, outcomeUnknown: false });
    this.status = 'refused';
    this.refusal = refusal;
    this.recordFailure('purchase', error);
  }

  /** Twilio sold us the number. */
  purchased(owned: { e164: string; twilioSid: string }): void {
    this.assertAt('purchase');
    this.e164 = owned.e164;
    this.twilioSid = owned.twilioSid;
    this.succeed('purchase');
    this.recordEvent(
      new NumberPurchasedEvent(this.tenantId, {
        ...this.payload(),
        e164: owned.e164,
        twilioSid: owned.twilioSid,
      }),
    );
  }

  /** Vapi holds the number. */
  registeredWithVapi(vapiNumberId: string): void {
    this.assertAt('register');
    this.vapiNumberId = vapiNumberId;
    this.succeed('register');
    this.recordEvent(
      new NumberRegisteredWithVapiEvent(this.tenantId, { ...this.payload(), e164: this.e164!, vapiNumberId }),
    );
  }

  /** The step that follows a succeeded one is under way (the process manager says which). */
  begin(step: StepName): void {
    const current = this.currentStep;
    if (!current || this.stepState(current).status !== 'succeeded')
      throw new Error(`number ${this.id} is ${this.status}: no step has just succeeded`);
    this.status = STATUS_OF_STEP[step as ProvisioningStepName];
    this.handOverToRelease(current);
  }

  /** Both sides read back as provisioned: calls reach the agent. */
  activated(monthlyCostCents: number, now = new Date()): void {
    if (isImported(this.kind)) {
      monthlyCostCents = 0;
      // The import's steps are done: the customer's token now lives only in Vapi.
      this.sealedTwilioAuthToken = null;
    }
    this.assertAt('activate');
    this.activatedAt = now;
    this.succeed('activate');
    this.status = 'active';
    this.recordEvent(
      new NumberActivatedEvent(this.tenantId, {
        ...this.payload(),
        e164: this.e164!,
        twilioSid: this.twilioSid!,
        vapiNumberId: this.vapiNumberId!,
        activatedAt: now.toISOString(),
        monthlyCostCents,
      }),
    );
    this.handOverToRelease('activate');
  }

  /** Runs the failed step again; the step's attempts keep counting. Returns the step. */
  retry(): StepName {
    const step = (PROVISIONING_STEPS as ProvisioningStepName[]).find(
      (s) => this.steps[s].status === 'failed',
    );
    if (this.status !== 'failed' || !step) {
      throw new Error(`number ${this.id} is ${this.status}, not failed`);
    }
    this.status = STATUS_OF_STEP[step];
    this.setStep(step, { status: 'pending' });
    this.recordEvent(new NumberProvisioningRetriedEvent(this.tenantId, { ...this.payload(), step }));
    return step;
  }

  // ── A change on its way to Vapi ────────────────────────────────────────────────────────────────────────────────

  /**
   * A change for Vapi: another agent (`agentId`), or the project's fallback changed. Merged with a change already on
   * its way (the latest agent wins); the `update` step pushes the whole of it. Only a live number takes changes (the
   * others read the project and agent when they register).
   */
  requestChange(change: { agentId?: string; fallbackChanged?: boolean }, now = new Date()): PendingChange {
    if (this.status !== 'active') throw new Error(`number ${this.id} is ${this.status}, not active`);
    const pending: PendingChange = {
      id: randomUUID(),
      agentId: change.agentId ?? this.pendingChange?.agentId ?? null,
      fallbackChanged: change.fallbackChanged === true || this.pendingChange?.fallbackChanged === true,
      requestedAt: now.toISOString(),
    };
    this.pendingChange = pending;
    this.setStep('update', { status: 'pending', lastError: null, outcomeUnknown: false });
    this.recordEvent(
      new NumberChangeRequestedEvent(this.tenantId, {
        ...this.payload(),
        changeId: pending.id,
        toAgentId: pending.agentId,
        fallbackChanged: pending.fallbackChanged,
      }),
    );
    return pending;
  }

  /**
   * Vapi read back with the change `changeId` asked for. A newer change that arrived meanwhile is left to its own
   * attempt (this one only lets it run).
   */
  changeApplied(
    changeId: string,
    applied: { vapiNumberId: string; assistantId: string; fallbackNumber: string | null },
  ): void {
    this.assertAt('update');
    const change = this.pendingChange!;
    if (change.id !== changeId) {
      this.setStep('update', { status: 'pending', outcomeUnknown: false });
      return;
    }
    this.succeed('update');
    this.pendingChange = null;
    if (change.agentId && change.agentId !== this.agentId) {
      const previousAgentId = this.agentId;
      this.agentId = change.agentId;
      this.recordEvent(
        new NumberReassignedEvent(this.tenantId, {
          ...this.payload(),
          previousAgentId,
          vapiNumberId: applied.vapiNumberId,
          assistantId: applied.assistantId,
        }),
      );
    }
    if (change.fallbackChanged) {
      this.recordEvent(
        new NumberFallbackUpdatedEvent(this.tenantId, {
          ...this.payload(),
          vapiNumberId: applied.vapiNumberId,
          fallbackNumber: applied.fallbackNumber,
        }),
      );
    }
  }

  // ── Release and restore ────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The customer releases the number. Answers false when that asks for nothing new (already released, releasing, or
   * asked while a step is in flight): releasing twice is harmless. A live number keeps `graceMs` at Twilio for a
   * restore; a number that never went live, or one of the customer's own Twilio account (`restorableAfterRelease`),
   * is released at once. While a provisioning step is in flight the release
   * waits for it (that step's outcome hands over, `handOverToRelease`), so nothing it bought is left behind; a
   * provisioning that waits for a retry, or failed, is cancelled now. A lifecycle step that failed for good is
   * re-armed by asking again.
   */
  requestRelease(graceMs: number, now = new Date()): boolean {
    if (this.status === 'refused') throw new Error(`number ${this.id} is refused: it holds nothing`);
    if (this.status === 'releasing' || this.status === 'released') return this.rearmRelease();
    if (this.releaseRequestedAt) return false;
    const wasLive = this.status === 'active' || this.status === 'restoring';
    this.releaseRequestedAt = now;
    this.graceUntil =
      wasLive && graceMs > 0 && restorableAfterRelease(this.kind) ? new Date(now.getTime() + graceMs) : null;
    this.recordEvent(
      new NumberReleaseRequestedEvent(this.tenantId, {
        ...this.payload(),
        graceUntil: this.graceUntil?.toISOString() ?? null,
      }),
    );
    const step = this.currentStep;
    const waits =
      step !== null && RELEASE_WAITS_FOR.includes(step) && this.stepState(step).status === 'running';
    if (!waits) this.beginRelease();
    return true;
  }

  /**
   * Whether a step about to run gives way to a release asked while an attempt of it was in flight (that attempt
   * died without an outcome): the release flow takes over, and looks for whatever that attempt may have left.
   */
  yieldsToRelease(step: StepName): boolean {
    if (!this.releaseRequestedAt || !RELEASE_WAITS_FOR.includes(step) || !this.isAt(step)) return false;
    this.handOverToRelease(step);
    return true;
  }

  /** Vapi no longer holds the number. With a grace period it is released to the customer now, and waits at Twilio. */
  detached(now = new Date()): void {
    this.assertAt('detach');
    const vapiNumberId = this.vapiNumberId;
    this.succeed('detach');
    this.vapiNumberId = null;
    this.recordEvent(new NumberDetachedFromVapiEvent(this.tenantId, { ...this.payload(), vapiNumberId }));
    if (!this.graceUntil) return;
    this.status = 'released';
    this.releasedAt = now;
    this.recordReleased(true);
    this.recordEvent(
      new NumberReleaseDueEvent(
        this.tenantId,
        { ...this.payload(), dueAt: this.graceUntil.toISOString() },
        { deliverAt: this.graceUntil },
      ),
    );
  }

  /** Twilio released the number (or never held it): it is released for good. */
  releasedFromTwilio(now = new Date()): void {
    this.assertAt('release');
    this.succeed('release');
    if (this.status === 'released') {
      this.recordEvent(
        new NumberReleasedAtTwilioEvent(this.tenantId, { ...this.payload(), twilioSid: this.twilioSid }),
      );
      return;
    }
    this.status = 'released';
    this.releasedAt = now;
    this.recordReleased(false);
  }

  /**
   * Whether a restore may begin: released, still at Twilio, its grace not over, and Twilio's release not begun; never
   * a number of the customer's own Twilio account (`restorableAfterRelease`), even one released with a grace period
   * before that rule.
   */
  restorable(now = new Date()): boolean {
    return isRestorable(this, now);
  }

  /**
   * The customer wants the released number back: it is attached again as it was (`reattach`). Asked again after
   * the reattachment failed for good, it runs again.
   */
  requestRestore(now = new Date()): void {
    if (!this.restorable(now)) throw new Error(`number ${this.id} cannot be restored`);
    this.status = 'restoring';
    this.releaseRequestedAt = null;
    this.graceUntil = null;
    this.setStep('reattach', { status: 'pending', attempts: 0, lastError: null, outcomeUnknown: false });
    this.setStep('release', { status: 'pending', attempts: 0, lastError: null, outcomeUnknown: false });
    this.setStep('detach', { status: 'pending', attempts: 0, lastError: null, outcomeUnknown: false });
    this.recordEvent(new NumberRestoreRequestedEvent(this.tenantId, this.payload()));
  }

  /** Vapi holds the number again as it was, read back: it is live, and billing resumes. */
  restored(vapiNumberId: string, monthlyCostCents: number, now = new Date()): void {
    this.assertAt('reattach');
    if (isImported(this.kind)) monthlyCostCents = 0;
    this.succeed('reattach');
    this.vapiNumberId = vapiNumberId;
    this.status = 'active';
    this.releasedAt = null;
    this.recordEvent(
      new NumberRestoredEvent(this.tenantId, {
        ...this.payload(),
        e164: this.e164!,
        twilioSid: this.twilioSid!,
        vapiNumberId,
        restoredAt: now.toISOString(),
        monthlyCostCents: isImported(this.kind) ? 0 : monthlyCostCents,
      }),
    );
    // A release asked while the restore was on its way goes ahead now.
    this.handOverToRelease('reattach');
  }

  /** The number leaves provisioning (or life) for the release flow: `detach` first. */
  private beginRelease(): void {
    this.status = 'releasing';
    this.pendingChange = null;
    this.setStep('detach', { status: 'pending', attempts: 0, lastError: null, outcomeUnknown: false });
    this.setStep('release', { status: 'pending', attempts: 0, lastError: null, outcomeUnknown: false });
  }

  /**
   * A provisioning step's attempt is over (it succeeded, failed, or waits for a retry) while a release was asked:
   * what it did is recorded, and the release flow takes over instead of the next step.
   */
  private handOverToRelease(step: StepName): void {
    if (!this.releaseRequestedAt || !RELEASE_WAITS_FOR.includes(step)) return;
    if (this.status === 'releasing' || this.status === 'released') return;
    this.beginRelease();
    this.recordEvent(new NumberProvisioningCancelledEvent(this.tenantId, { ...this.payload(), step }));
  }

  /** A release step that failed for good runs again when the customer asks again; anything else is no news. */
  private rearmRelease(): boolean {
    const step = this.currentStep;
    if (!step || this.steps[step]?.status !== 'failed') return false;
    this.setStep(step, { status: 'pending' });
    this.recordEvent(
      new NumberReleaseRequestedEvent(this.tenantId, {
        ...this.payload(),
        graceUntil: this.graceUntil?.toISOString() ?? null,
      }),
    );
    return true;
  }

  private recordReleased(heldAtTwilio: boolean): void {
    this.recordEvent(
      new NumberReleasedEvent(this.tenantId, {
        ...this.payload(),
        releasedAt: this.releasedAt!.toISOString(),
        graceUntil: this.graceUntil?.toISOString() ?? null,
        twilioSid: this.twilioSid,
        heldAtTwilio,
      }),
    );
  }

  // ── Reconciliation (src/numbers/reconcile/) ─────────────────────────────────────────

  /** Twilio no longer has the active number: calls to it reach no one, and nothing here can buy it back. */
  degraded(reason: string): void {
    this.assertStatus('active');
    this.status = 'degraded';
    this.recordEvent(
      new NumberDegradedEvent(this.tenantId, { ...this.payload(), twilioSid: this.twilioSid, reason }),
    );
  }

  /** Vapi holds the active number as provisioned again: registered anew (`vapi-registered`) or set back. */
  repairedInVapi(repair: 'vapi-registered' | 'vapi-updated', vapiNumberId: string, problems: string[]): void {
    this.assertStatus('active');
    this.vapiNumberId = vapiNumberId;
    this.recordRepair(repair, problems, { vapiNumberId });
  }

  /**
   * Twilio holds a number under this number's mark although its purchase failed (the sale's answer was lost): the
   * purchase runs again, and, its outcome being unknown, first looks the mark up and adopts what it finds.
   */
  resumePurchase(twilioSid: string): void {
    if (this.status !== 'failed' || this.steps.purchase.status !== 'failed')
      throw new Error(`number ${this.id} is ${this.status}: its purchase has not failed`);
    this.setStep('purchase', { outcomeUnknown: true });
    this.retry();
    this.recordRepair('purchase-resumed', [], { twilioSid });
  }

  /** A Twilio number under this number's mark that it does not hold (a purchase abandoned for good) was released. */
  abandonedNumberReleased(twilioSid: string, e164: string): void {
    this.recordRepair('abandoned-released', [`Twilio held ${e164} (${twilioSid}) under this number's mark`], {
      twilioSid,
    });
  }

  private recordRepair(
    repair: NumberRepairedEvent['payload']['repair'],
    problems: string[],
    ids: { twilioSid?: string; vapiNumberId?: string },
  ): void {
    this.recordEvent(
      new NumberRepairedEvent(this.tenantId, {
        ...this.payload(),
        repair,
        problems,
        twilioSid: ids.twilioSid ?? this.twilioSid,
        vapiNumberId: ids.vapiNumberId ?? this.vapiNumberId,
      }),
    );
  }

  /** The step's state (a lifecycle step that never ran reads as pending, never attempted). */
  stepState(step: StepName): StepState {
    return (
      this.steps[step] ?? {
        status: 'pending',
        attempts: 0,
        lastError: null,
        updatedAt: this.createdAt.toISOString(),
      }
    );
  }

  private assertStatus(status: NumberStatus): void {
    if (this.status !== status) throw new Error(`number ${this.id} is ${this.status}, not ${status}`);
  }

  private succeed(step: StepName): void {
    this.setStep(step, { status: 'succeeded', lastError: null, outcomeUnknown: false });
  }

  private recordFailure(step: StepName, error: StepError): void {
    this.recordEvent(
      new NumberProvisioningFailedEvent(this.tenantId, {
        ...this.payload(),
        step,
        code: error.code,
        message: error.message,
      }),
    );
  }

  private setStep(step: StepName, changes: Partial<StepState>): void {
    // A new object, so that the ORM sees the JSON change.
    this.steps = {
      ...this.steps,
      [step]: { ...this.stepState(step), ...changes, updatedAt: new Date().toISOString() },
    };
  }

  private assertAt(step: StepName): void {
    if (!this.isAt(step))
      throw new Error(`number ${this.id} is ${this.status}: step ${step} is not under way`);
  }

  private payload(): NumberEventPayload {
    return {
      numberId: this.id,
      projectId: this.projectId,
      agentId: this.agentId,
      e164: this.e164,
      kind: this.kind,
    };
  }
}
