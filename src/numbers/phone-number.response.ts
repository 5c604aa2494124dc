import { ApiProperty } from '@nestjs/swagger';
import { PageResponse } from '../shared/pagination/page-query.dto.js';
import type {
  NumberKind,
  NumberStatus,
  PhoneNumber,
  StepName,
  StepState,
  StepStatus,
} from './phone-number.entity.js';

export class StepErrorResponse {
  @ApiProperty({ example: 'VOICE_AGENT.PROVIDER_ERROR' })
  code!: string;

  @ApiProperty()
  message!: string;
}

export class StepResponse {
  @ApiProperty({ enum: ['pending', 'running', 'succeeded', 'failed'] })
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
    enum: ['purchasing', 'registering', 'activating', 'active', 'refused', 'failed', 'released'],
    description:
      '`refused`: Twilio would not sell a number; such a number holds nothing and is never listed.',
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

  @ApiProperty({ type: StepsResponse, description: 'Progress of each provisioning step, for a dashboard.' })
  steps!: Record<StepName, StepState>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  activatedAt!: string | null;

  static of(number: PhoneNumber): PhoneNumberResponse {
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
    };
  }
}

/** The steps as shown to callers: the error's code and message (its details stay in the problem answers). */
function publicSteps(steps: Record<StepName, StepState>): Record<StepName, StepState> {
  const strip = (s: StepState): StepState => ({
    status: s.status,
    attempts: s.attempts,
    lastError: s.lastError ? { code: s.lastError.code, message: s.lastError.message } : null,
    updatedAt: s.updatedAt,
  });
  return {
    purchase: strip(steps.purchase),
    register: strip(steps.register),
    activate: strip(steps.activate),
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
