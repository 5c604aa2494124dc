import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { E164 } from '../../shared/validation/e164.js';
import { ProjectAgentDto } from '../project-agent.dto.js';

export class BuyNumberDto extends ProjectAgentDto {
  @ApiPropertyOptional({
    example: '205',
    description:
      'US or Canadian area code, searched (in its country) when no `number` is given; default 205. The first ' +
      'number for sale that needs no address on file is bought.',
  })
  @IsOptional()
  @IsString()
  areaCode?: string;

  @ApiPropertyOptional({
    example: '+12055550123',
    description:
      'Buy exactly this number (E.164), US or Canadian; one that needs an address on file (`addressRequired` in ' +
      'a search) is refused with 422 `NUMBERS.ADDRESS_REQUIRED`.',
  })
  @IsOptional()
  @Matches(E164, { message: 'number must be an E.164 phone number such as +12055550123' })
  number?: string;
}
