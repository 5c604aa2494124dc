import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** The project a number is for, and the agent it answers with: what a purchase and an import both name. */
export class ProjectAgentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  projectId!: string;

  @ApiProperty({ format: 'uuid', description: 'One of the project’s agents: the number answers with it.' })
  @IsUUID()
  agentId!: string;
}
