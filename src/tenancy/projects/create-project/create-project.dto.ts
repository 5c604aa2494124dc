import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { E164 } from '../../../shared/validation/e164.js';
import { DISPLAY_NAME, DISPLAY_NAME_MESSAGE } from '../../../shared/validation/display-name.js';

export class CreateProjectDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Smith Plumbing' })
  @IsString()
  @Length(1, 100)
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '+14155550123',
    description: "The customer's own phone, E.164, where calls go when the AI cannot take them.",
  })
  @IsOptional()
  @IsString()
  @Matches(E164, { message: 'fallbackNumber must be an E.164 number such as +14155550123' })
  fallbackNumber?: string | null;
}
