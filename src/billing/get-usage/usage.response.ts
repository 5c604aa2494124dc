import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { NumberKind } from '../usage-rules.js';

export class NumberUsageResponse {
  @ApiProperty({ format: 'uuid' })
  numberId!: string;

  @ApiProperty({ format: 'uuid' })
  projectId!: string;

  @ApiProperty({ example: '+12055550123' })
  e164!: string;

  @ApiProperty({ enum: ['purchased', 'imported'], description: 'An imported number has no fee of ours.' })
  kind!: NumberKind;

  @ApiProperty({
    description: 'UTC days of the month a live interval touched (none after today).',
    example: 14,
  })
  activeDays!: number;

  @ApiProperty({ description: 'round(monthly × activeDays ÷ daysInMonth), integer US cents.', example: 54 })
  feeCents!: number;
}

/** A set of calls: how many, how long, what Vapi charged. */
export class CallTotalsResponse {
  @ApiProperty()
  count!: number;

  @ApiProperty({ description: 'Whole seconds, each call rounded up.' })
  seconds!: number;

  @ApiProperty({ description: 'Billed minutes: ceil(seconds ÷ 60) per call, summed.' })
  minutes!: number;

  @ApiProperty({ description: "Vapi's cost, integer US cents (each call rounded half up once)." })
  costCents!: number;
}

export class CallDayUsageResponse extends CallTotalsResponse {
  @ApiProperty({ format: 'date', example: '2026-11-05', description: 'The UTC day the calls ended.' })
  date!: string;

  @ApiProperty({ format: 'uuid', nullable: true })
  numberId!: string | null;

  @ApiProperty({ format: 'uuid' })
  projectId!: string;

  @ApiProperty({ nullable: true, example: '+12055550123' })
  e164!: string | null;
}

export class CallsUsageResponse extends CallTotalsResponse {
  @ApiProperty({ type: [CallDayUsageResponse], description: 'Per UTC day and number.' })
  byDay!: CallDayUsageResponse[];
}

export class ProjectUsageTotalResponse {
  @ApiProperty({ format: 'uuid' })
  projectId!: string;

  @ApiProperty()
  numbersCents!: number;

  @ApiProperty()
  callsCents!: number;

  @ApiProperty()
  totalCents!: number;
}

export class UsageResponse {
  @ApiProperty({ example: '2026-11' })
  month!: string;

  @ApiProperty({ type: [NumberUsageResponse] })
  numbers!: NumberUsageResponse[];

  @ApiProperty({ type: CallsUsageResponse })
  calls!: CallsUsageResponse;

  @ApiProperty({ description: 'Number fees plus call costs, integer US cents.' })
  totalCents!: number;

  @ApiPropertyOptional({
    type: [ProjectUsageTotalResponse],
    description: 'The whole tenant only (`GET /api/usage`): the month per project.',
  })
  projects?: ProjectUsageTotalResponse[];
}
