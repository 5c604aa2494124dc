import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Agent } from '../agent.entity.js';
import { AgentNotFoundError } from '../agent.errors.js';
import { AgentResponse } from '../agent.response.js';
import { GetAgentQuery } from './get-agent.query.js';

@QueryHandler(GetAgentQuery)
export class GetAgentHandler implements IQueryHandler<GetAgentQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute(query: GetAgentQuery): Promise<AgentResponse> {
    const agent = await this.em.findOne(Agent, { id: query.agentId, projectId: query.projectId });
    if (!agent) throw new AgentNotFoundError(query.agentId);
    return AgentResponse.of(agent);
  }
}
