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
}

export class SearchNumbersResponse {
  @ApiProperty({ type: String, nullable: true, example: '205' })
  areaCode!: string | null;

  @ApiProperty({ type: [AvailableNumberResponse] })
  numbers!: AvailableNumberResponse[];
}
