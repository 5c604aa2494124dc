import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { E164 } from '../../../shared/validation/e164.js';
import { DISPLAY_NAME, DISPLAY_NAME_MESSAGE } from '../../../shared/validation/display-name.js';

export class UpdateProjectDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Length(1, 100)
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'E.164; `null` removes it.' })
  @IsOptional()
  @IsString()
  @Matches(E164, { message: 'fallbackNumber must be an E.164 number such as +14155550123' })
  fallbackNumber?: string | null;
}
