import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class ChangeNumberDto {
  @ApiProperty({
    format: 'uuid',
    description: "One of the number's project's agents: the number is to answer with its assistant.",
  })
  @IsUUID()
  agentId!: string;
}
