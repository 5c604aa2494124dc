import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { E164 } from '../../shared/validation/e164.js';
import { ProjectAgentDto } from '../project-agent.dto.js';

export type ImportSource = 'twilio' | 'sip';

/** The fields each source takes; a field of the other source is refused rather than ignored. */
const FIELDS_OF: Record<ImportSource, string[]> = {
  twilio: ['twilioAccountSid', 'twilioAuthToken'],
  sip: ['credentialId'],
};

/** On `source`: no field of the other source is given. */
function NoFieldsOfOtherSources() {
  return ValidateBy({
    name: 'noFieldsOfOtherSources',
    validator: {
      validate: (source: unknown, args?: ValidationArguments) => {
        const body = (args?.object ?? {}) as Record<string, unknown>;
        return Object.entries(FIELDS_OF)
          .filter(([s]) => s !== source)
          .every(([, fields]) => fields.every((f) => body[f] === undefined));
      },
      defaultMessage: (args?: ValidationArguments) => {
        const body = (args?.object ?? {}) as Record<string, unknown>;
        const extra = Object.values(FIELDS_OF)
          .flat()
          .filter((f) => body[f] !== undefined && !FIELDS_OF[args?.value as ImportSource]?.includes(f));
        return `${extra.join(', ')} do not go with source "${String(args?.value)}"`;
      },
    },
  });
}

const isSource = (source: ImportSource) => (body: ImportNumberDto) => body.source === source;

export class ImportNumberDto extends ProjectAgentDto {
  @ApiProperty({ example: '+12055550123', description: 'The number to import (E.164).' })
  @Matches(E164, { message: 'number must be an E.164 phone number such as +12055550123' })
  number!: string;

  @ApiProperty({
    enum: ['twilio', 'sip'],
    description:
      '`twilio`: a number in the customer’s own Twilio account (`twilioAccountSid`, `twilioAuthToken`). ' +
      '`sip`: a number of any other carrier reaching Vapi through the customer’s SIP trunk (`credentialId`).',
  })
  @IsIn(['twilio', 'sip'])
  @NoFieldsOfOtherSources()
  source!: ImportSource;

  @ApiPropertyOptional({
    example: 'AC0123456789abcdef0123456789abcdef',
    description: 'With `twilio`: the customer’s Twilio account SID.',
  })
  @ValidateIf(isSource('twilio'))
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'twilioAccountSid must be "AC" followed by 32 hex digits' })
  twilioAccountSid?: string;

  @ApiPropertyOptional({
    description:
      'With `twilio`: the account’s auth token. Used to prove the account owns the number and handed to Vapi, ' +
      'which needs it to take the calls; never returned, never logged, and kept by this service only, sealed, ' +
      'until the number is active.',
  })
  @ValidateIf(isSource('twilio'))
  @IsString()
  @Length(1, 256)
  twilioAuthToken?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'With `sip`: the Vapi `byo-sip-trunk` credential of the customer’s SIP trunk.',
  })
  @ValidateIf(isSource('sip'))
  @IsUUID()
  credentialId?: string;
}
