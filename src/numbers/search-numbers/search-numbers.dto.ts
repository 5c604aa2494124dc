import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class SearchNumbersDto {
  @ApiPropertyOptional({
    example: '205',
    description:
      'Three-digit US or Canadian area code; default 205 (not for toll-free). The country searched follows it: ' +
      "a Canadian one (416, 604, 514, ...) searches Twilio's Canadian inventory.",
  })
  @IsOptional()
  @IsString()
  areaCode?: string;

  @ApiPropertyOptional({
    example: '555',
    description: "Twilio's pattern: digits or letters, `*` one character, `%` any run; 2 to 16 characters.",
  })
  @IsOptional()
  @Matches(/^\+?[0-9a-zA-Z*%]{2,16}\$?$/, { message: 'contains must be 2 to 16 digits, letters, * or %' })
  contains?: string;

  @ApiPropertyOptional({
    example: 'AL',
    description:
      'Two-letter US state or Canadian province or territory (`ON`, `QC`, `BC`, ...). Without an area code, a ' +
      "province searches Twilio's Canadian inventory; with one, the area code decides the country.",
  })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'region must be a two-letter state or province code such as AL' })
  region?: string;

  @ApiPropertyOptional({ description: 'Toll-free numbers instead of local ones.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  tollFree?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}
