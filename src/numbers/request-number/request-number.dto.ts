import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { E164 } from '../../shared/validation/e164.js';

export class PurchaseNumberDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  projectId!: string;

  @ApiProperty({ format: 'uuid', description: 'One of the project’s agents: the number answers with it.' })
  @IsUUID()
  agentId!: string;

  @ApiPropertyOptional({ example: '205', description: 'Searched when no `number` is given; default 205.' })
  @IsOptional()
  @IsString()
  areaCode?: string;

  @ApiPropertyOptional({ example: '+12055550123', description: 'Buy exactly this number (E.164).' })
  @IsOptional()
  @Matches(E164, { message: 'number must be an E.164 phone number such as +12055550123' })
  number?: string;
}
