import { ApiProperty } from '@nestjs/swagger';
import { PageResponse } from '../shared/pagination/page-query.dto.js';
import {
  isRestorable,
  type LifecycleStepName,
  type NumberKind,
  type NumberStatus,
  type NumberSteps,
  type PhoneNumber,
  type StepState,
  type StepStatus,
} from './phone-number.entity.js';

/** What a number's answer is made of: the entity, or a row read for a list without one. */
export type PhoneNumberFields = Pick<
  PhoneNumber,
  | 'id'
  | 'e164'
  | 'projectId'
  | 'agentId'
  | 'kind'
  | 'status'
  | 'areaCode'
  | 'requestedNumber'
  | 'twilioSid'
  | 'vapiNumberId'
  | 'steps'
  | 'createdAt'
  | 'activatedAt'
  | 'pendingChange'
  | 'releaseRequestedAt'
  | 'releasedAt'
  | 'graceUntil'
>;

export class StepErrorResponse {
  @ApiProperty({ example: 'VOICE_AGENT.PROVIDER_ERROR' })
  code!: string;

  @ApiProperty()
  message!: string;
}

export class StepResponse {
  @ApiProperty({
    enum: ['pending', 'running', 'succeeded', 'failed', 'skipped'],
    description: '`skipped`: the purchase of an imported number.',
  })
  status!: StepStatus;

  @ApiProperty({ description: 'Attempts so far, across retries.' })
  attempts!: number;

  @ApiProperty({ type: StepErrorResponse, nullable: true })
  lastError!: StepErrorResponse | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class StepsResponse {
  @ApiProperty({ type: StepResponse })
  purchase!: StepResponse;

  @ApiProperty({ type: StepResponse })
  register!: StepResponse;

  @ApiProperty({ type: StepResponse })
  activate!: StepResponse;

  @ApiProperty({
    type: StepResponse,
    required: false,
    description: 'Pushing a change to Vapi (once one was asked).',
  })
  update?: StepResponse;

  @ApiProperty({ type: StepResponse, required: false, description: 'Release: deleting the Vapi number.' })
  detach?: StepResponse;

  @ApiProperty({
    type: StepResponse,
    required: false,
    description: 'Release: releasing the number at Twilio.',
  })
  release?: StepResponse;

  @ApiProperty({ type: StepResponse, required: false, description: 'Restore: registering it in Vapi again.' })
  reattach?: StepResponse;
}

export class PendingChangeResponse {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The agent the number is changing to (null when only the fallback changes).',
  })
  agentId!: string | null;

  @ApiProperty({ description: "Whether the project's new fallback is on its way to Vapi." })
  fallbackChanged!: boolean;

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;
}

export class PhoneNumberResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, nullable: true, example: '+12055550123', description: 'E.164, once bought.' })
  e164!: string | null;

  @ApiProperty({ format: 'uuid' })
  projectId!: string;

  @ApiProperty({ format: 'uuid' })
  agentId!: string;

  @ApiProperty({
    enum: ['purchased', 'imported-twilio', 'imported-sip'],
    description:
      '`purchased`: bought on our Twilio account. `imported-twilio`: in the customer’s own Twilio account; ' +
      '`imported-sip`: another carrier, through the customer’s SIP trunk. Imported numbers have no Twilio fee of ' +
      'ours and are never released at Twilio.',
  })
  kind!: NumberKind;

  @ApiProperty({
    enum: [
      'purchasing',
      'registering',
      'activating',
      'active',
      'refused',
      'failed',
      'degraded',
      'releasing',
      'released',
      'restoring',
    ],
    description:
      '`refused`: Twilio would not sell a number; such a number holds nothing and is never listed. `releasing`: ' +
      'being detached from Vapi and released at Twilio; `released`: no longer the customer’s (see `restorableUntil`); ' +
      '`restoring`: a released number being attached again. `degraded`: Twilio no longer has the number (a ' +
      'reconciliation found it released outside this service); calls to it reach no one.',
  })
  status!: NumberStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The area code searched, when no number was named.',
  })
  areaCode!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The number asked for, if one was.' })
  requestedNumber!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'PN0123456789abcdef0123456789abcdef' })
  twilioSid!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  vapiNumberId!: string | null;

  @ApiProperty({
    type: StepsResponse,
    description:
      'Progress of each provisioning step, and of each lifecycle step once one ran, for a dashboard.',
  })
  steps!: NumberSteps;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  activatedAt!: string | null;

  @ApiProperty({
    type: PendingChangeResponse,
    nullable: true,
    description:
      'A change on its way to Vapi (`PATCH`, or the project’s new fallback), until Vapi reads back with it.',
  })
  pendingChange!: PendingChangeResponse | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the release was asked for.',
  })
  releaseRequestedAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the number stopped being the customer’s (detached from Vapi).',
  })
  releasedAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'A released number is kept at Twilio, detached from Vapi, until then: `POST /api/numbers/:id/restore` brings ' +
      'it back. Null when it cannot be restored.',
  })
  restorableUntil!: string | null;

  static of(number: PhoneNumberFields): PhoneNumberResponse {
    return {
      id: number.id,
      e164: number.e164,
      projectId: number.projectId,
      agentId: number.agentId,
      kind: number.kind,
      status: number.status,
      areaCode: number.areaCode,
      requestedNumber: number.requestedNumber,
      twilioSid: number.twilioSid,
      vapiNumberId: number.vapiNumberId,
      steps: publicSteps(number.steps),
      createdAt: number.createdAt.toISOString(),
      activatedAt: number.activatedAt?.toISOString() ?? null,
      pendingChange: number.pendingChange && {
        agentId: number.pendingChange.agentId,
        fallbackChanged: number.pendingChange.fallbackChanged,
        requestedAt: number.pendingChange.requestedAt,
      },
      releaseRequestedAt: number.releaseRequestedAt?.toISOString() ?? null,
      releasedAt: number.releasedAt?.toISOString() ?? null,
      restorableUntil: isRestorable(number) ? number.graceUntil!.toISOString() : null,
    };
  }
}

/** The steps as shown to callers: the error's code and message (its details stay in the problem answers). */
function publicSteps(steps: NumberSteps): NumberSteps {
  const strip = (s: StepState): StepState => ({
    status: s.status,
    attempts: s.attempts,
    lastError: s.lastError ? { code: s.lastError.code, message: s.lastError.message } : null,
    updatedAt: s.updatedAt,
  });
  const lifecycle = (['update', 'detach', 'release', 'reattach'] as LifecycleStepName[]).flatMap((name) => {
    const step = steps[name];
    return step ? [[name, strip(step)] as const] : [];
  });
  return {
    purchase: strip(steps.purchase),
    register: strip(steps.register),
    activate: strip(steps.activate),
    ...Object.fromEntries(lifecycle),
  };
}

/** The answer of `POST /api/numbers`, in the shape the dashboard was promised. */
export class PurchaseNumberResponse {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ type: PhoneNumberResponse })
  phoneNumber!: PhoneNumberResponse;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'Null until Vapi holds the number.',
  })
  vapiNumberId!: string | null;
}

export class PhoneNumberListResponse extends PageResponse {
  @ApiProperty({ type: [PhoneNumberResponse] })
  items!: PhoneNumberResponse[];
}
