import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { AggregateRoot } from '../shared/domain/aggregate-root.js';
import { TenantOwned } from '../tenancy/index.js';
import {
  NumberActivatedEvent,
  NumberProvisioningFailedEvent,
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberRequestedEvent,
  isImported,
  type NumberEventPayload,
  type NumberKind,
} from './events/number-events.js';

export type { NumberKind } from './events/number-events.js';

/**
 * The steps of provisioning. Their order is the provisioning process manager's to state
 * (`provisioning/number-provisioning.process-manager.ts`): the number only keeps each one's state.
 */
export type StepName = 'purchase' | 'register' | 'activate';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed';

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
 * Twilio would not make (nothing to retry, nothing held); `failed` is a step that needs an operator or a retry.
 */
export type NumberStatus =
  'purchasing' | 'registering' | 'activating' | 'active' | 'refused' | 'failed' | 'released';

const STATUS_OF_STEP: Record<StepName, NumberStatus> = {
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
    | 'kind';

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
  steps: Record<StepName, StepState>;

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

  constructor(props: {
    tenantId: string;
    projectId: string;
    agentId: string;
    areaCode: string | null;
    requestedNumber: string | null;
    idempotencyKey?: string | null;
  }) {
    super();
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

  get twilioMark(): string {
    return twilioMarkOf(this.id);
  }

  /** The step that runs now, or null when none does (active, refused, failed, released). */
  get currentStep(): StepName | null {
    const entry = Object.entries(STATUS_OF_STEP).find(([, status]) => status === this.status);
    return entry ? (entry[0] as StepName) : null;
  }

  /** Whether `step` is the one under way: a redelivered event for a step already done is then a no-op. */
  isAt(step: StepName): boolean {
    return this.currentStep === step;
  }

  /**
   * One more attempt of the current step begins. Answers whether the attempt before it left its outcome unknown: until
   * this attempt records one, its own outcome counts as unknown (a crash mid-call leaves it so).
   */
  startAttempt(step: StepName): { previousOutcomeUnknown: boolean } {
    this.assertAt(step);
    const previous = this.steps[step];
    const previousOutcomeUnknown = previous.status === 'running' || previous.outcomeUnknown === true;
    this.setStep(step, { status: 'running', attempts: previous.attempts + 1, outcomeUnknown: true });
    return { previousOutcomeUnknown };
  }

  /** The attempt failed in a way a later attempt may not: the step waits for its retry. */
  attemptFailed(step: StepName, error: StepError, outcomeUnknown: boolean): void {
    this.assertAt(step);
    this.setStep(step, { status: 'pending', lastError: error, outcomeUnknown });
  }

  /** The step cannot succeed (an error no retry can fix, or its attempts ran out): the number is failed. */
  failStep(step: StepName, error: StepError): void {
    this.assertAt(step);
    this.setStep(step, { status: 'failed', lastError: error });
    this.status = 'failed';
    this.recordFailure(step, error);
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
    if (!current || this.steps[current].status !== 'succeeded')
      throw new Error(`number ${this.id} is ${this.status}: no step has just succeeded`);
    this.status = STATUS_OF_STEP[step];
  }

  /** Both sides read back as provisioned: calls reach the agent. */
  activated(monthlyCostCents: number, now = new Date()): void {
    if (isImported(this.kind)) monthlyCostCents = 0;
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
  }

  /** Runs the failed step again; the step's attempts keep counting. Returns the step. */
  retry(): StepName {
    const step = (Object.keys(this.steps) as StepName[]).find((s) => this.steps[s].status === 'failed');
    if (this.status !== 'failed' || !step) {
      throw new Error(`number ${this.id} is ${this.status}, not failed`);
    }
    this.status = STATUS_OF_STEP[step];
    this.setStep(step, { status: 'pending' });
    this.recordEvent(new NumberProvisioningRetriedEvent(this.tenantId, { ...this.payload(), step }));
    return step;
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
      [step]: { ...this.steps[step], ...changes, updatedAt: new Date().toISOString() },
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
