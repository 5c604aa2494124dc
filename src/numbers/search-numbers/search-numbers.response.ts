import { ApiProperty } from '@nestjs/swagger';

export class CapabilitiesResponse {
  @ApiProperty() voice!: boolean;
  @ApiProperty() sms!: boolean;
  @ApiProperty() mms!: boolean;
}

export class AvailableNumberResponse {
  @ApiProperty({ example: '+12055550123' })
  e164!: string;

  @ApiProperty({ example: '(205) 555-0123' })
  friendlyName!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Birmingham' })
  locality!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'AL' })
  region!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '35203' })
  postalCode!: string | null;

  @ApiProperty({ type: CapabilitiesResponse })
  capabilities!: CapabilitiesResponse;

  @ApiProperty({
    example: 'US',
    description:
      "The number's country (ISO 3166-1 alpha-2): `US`, or `CA` for a Canadian area code or province.",
  })
  country!: string;

  @ApiProperty({
    example: false,
    description:
      'Whether Twilio sells the number only to an account with an address on file (its `AddressRequirements` is ' +
      '`any`, `local` or `foreign`). This service keeps none: such a number cannot be bought here (`POST ' +
      '/api/numbers` with it answers 422 `NUMBERS.ADDRESS_REQUIRED`), and one click never picks it.',
  })
  addressRequired!: boolean;
}

export class SearchNumbersResponse {
  @ApiProperty({ type: String, nullable: true, example: '205' })
  areaCode!: string | null;

  @ApiProperty({ type: [AvailableNumberResponse] })
  numbers!: AvailableNumberResponse[];
}
