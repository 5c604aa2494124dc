import { ApiProperty } from '@nestjs/swagger';
import { PageResponse } from '../../shared/pagination/page-query.dto.js';
import type { Agent } from './agent.entity.js';

export class AgentResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  projectId!: string;

  @ApiProperty({ example: 'After-hours receptionist' })
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The Vapi assistant this agent answers with.' })
  vapiAssistantId!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  static of(agent: Agent): AgentResponse {
    return {
      id: agent.id,
      projectId: agent.projectId,
      name: agent.name,
      vapiAssistantId: agent.vapiAssistantId,
      createdAt: agent.createdAt.toISOString(),
    };
  }
}

export class AgentListResponse extends PageResponse {
  @ApiProperty({ type: [AgentResponse] })
  items!: AgentResponse[];
}
