import { ApiProperty } from '@nestjs/swagger';

/** Why the sync left a Vapi number as it is. */
export const SKIP_REASONS = [
  'held-by-another-project',
  'in-progress',
  'no-agent-for-assistant',
  'not-in-our-twilio-account',
  'unsupported-provider',
  'missing-in-vapi',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export class SyncedNumberResponse {
  @ApiProperty({ example: '+12055550123' })
  number!: string;

  @ApiProperty({ format: 'uuid', description: 'Our number.' })
  numberId!: string;
}

export class UpdatedNumberResponse extends SyncedNumberResponse {
  @ApiProperty({
    type: [String],
    enum: ['name', 'assistant', 'server', 'fallback'],
    description:
      'What differed in Vapi and was set again: the project tag, the assistant, our webhook, the fallback.',
  })
  repaired!: string[];
}

export class SkippedNumberResponse {
  @ApiProperty({ example: '+12055550123' })
  number!: string;

  @ApiProperty({
    enum: SKIP_REASONS,
    description:
      '`held-by-another-project`: a project (of any tenant) holds it; `in-progress`: one of the project’s numbers ' +
      'still being provisioned, changed or released (its own flow keeps it in agreement); `no-agent-for-assistant`: no agent of the ' +
      'project answers with its assistant (create one, then sync again); `not-in-our-twilio-account`: imported ' +
      'with our Twilio account, which no longer owns it; `unsupported-provider`: neither a Twilio nor a SIP number; ' +
      '`missing-in-vapi`: one of the project’s live numbers Vapi no longer has.',
  })
  reason!: SkipReason;
}

export class SyncNumbersResponse {
  @ApiProperty({
    type: [SyncedNumberResponse],
    description: 'Vapi numbers tagged with the project, now linked to it.',
  })
  imported!: SyncedNumberResponse[];

  @ApiProperty({
    type: [UpdatedNumberResponse],
    description: 'The project’s numbers whose Vapi settings were repaired.',
  })
  updated!: UpdatedNumberResponse[];

  @ApiProperty({ type: [SkippedNumberResponse] })
  skipped!: SkippedNumberResponse[];
}
