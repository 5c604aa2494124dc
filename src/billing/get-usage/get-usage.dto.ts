import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class GetUsageDto {
  @ApiPropertyOptional({
    example: '2026-11',
    description: 'A calendar month in UTC, `YYYY-MM`; default this month.',
  })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be a month as YYYY-MM, e.g. 2026-11' })
  month?: string;
}
