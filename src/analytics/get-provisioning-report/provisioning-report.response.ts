import { ApiProperty } from '@nestjs/swagger';

export class FunnelResponse {
  @ApiProperty({ description: 'Numbers requested in the window (the cohort every other figure is about).' })
  requested!: number;

  @ApiProperty({ description: 'Of those, bought from Twilio.' })
  purchased!: number;

  @ApiProperty({ description: 'Of those, registered with Vapi.' })
  registered!: number;

  @ApiProperty({ description: 'Of those, live.' })
  activated!: number;

  @ApiProperty({ description: 'Of those, failed at least once (a retried number may be live since).' })
  failed!: number;

  @ApiProperty({
    description: 'Of those, released at least once (`numbers.number-released`; restored since or not).',
  })
  released!: number;

  @ApiProperty({ description: 'Of those, restored within a grace period at least once.' })
  restored!: number;
}

export class FailureCountResponse {
  @ApiProperty({ enum: ['purchase', 'register', 'activate'] })
  step!: string;

  @ApiProperty({ example: 'VOICE_AGENT.PROVIDER_ERROR' })
  code!: string;

  @ApiProperty({ description: 'Failures (a number retried and failed again counts twice).' })
  failures!: number;

  @ApiProperty({ description: 'Distinct numbers.' })
  numbers!: number;
}

export class DurationSummaryResponse {
  @ApiProperty({ description: 'Numbers of the cohort that went through the step.' })
  count!: number;

  @ApiProperty({ nullable: true, description: 'Median, seconds (nearest rank).' })
  p50Seconds!: number | null;

  @ApiProperty({ nullable: true, description: '95th percentile, seconds (nearest rank).' })
  p95Seconds!: number | null;
}

export class DurationsResponse {
  @ApiProperty({ type: DurationSummaryResponse, description: 'requested → purchased' })
  purchase!: DurationSummaryResponse;

  @ApiProperty({ type: DurationSummaryResponse, description: 'purchased → registered with Vapi' })
  register!: DurationSummaryResponse;

  @ApiProperty({ type: DurationSummaryResponse, description: 'registered → activated' })
  activate!: DurationSummaryResponse;

  @ApiProperty({ type: DurationSummaryResponse, description: 'requested → activated' })
  endToEnd!: DurationSummaryResponse;
}

export class CallsPerNumberDayResponse {
  @ApiProperty({ format: 'date', description: 'The UTC day the calls ended.' })
  date!: string;

  @ApiProperty({ format: 'uuid', nullable: true })
  numberId!: string | null;

  @ApiProperty({ nullable: true })
  e164!: string | null;

  @ApiProperty({ format: 'uuid' })
  projectId!: string;

  @ApiProperty()
  calls!: number;
}

export class ProvisioningReportResponse {
  @ApiProperty({ format: 'date' })
  from!: string;

  @ApiProperty({ format: 'date' })
  to!: string;

  @ApiProperty({ type: FunnelResponse })
  funnel!: FunnelResponse;

  @ApiProperty({ type: [FailureCountResponse], description: 'The cohort’s failures by step and error code.' })
  failures!: FailureCountResponse[];

  @ApiProperty({ type: DurationsResponse })
  durations!: DurationsResponse;

  @ApiProperty({ type: [CallsPerNumberDayResponse], description: 'Calls that ended in the window.' })
  callsPerNumberPerDay!: CallsPerNumberDayResponse[];
}
