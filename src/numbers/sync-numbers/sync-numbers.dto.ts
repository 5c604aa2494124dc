import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class SyncNumbersDto {
  @ApiProperty({ format: 'uuid', description: 'The project whose numbers are synced from Vapi.' })
  @IsUUID()
  projectId!: string;
}
