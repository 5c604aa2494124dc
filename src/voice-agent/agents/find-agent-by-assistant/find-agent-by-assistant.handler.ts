import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Agent } from '../agent.entity.js';
import { AgentResponse } from '../agent.response.js';
import { FindAgentByAssistantQuery } from './find-agent-by-assistant.query.js';

@QueryHandler(FindAgentByAssistantQuery)
export class FindAgentByAssistantHandler implements IQueryHandler<FindAgentByAssistantQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute(query: FindAgentByAssistantQuery): Promise<AgentResponse | null> {
    const [agent] = await this.em.find(
      Agent,
      { projectId: query.projectId, vapiAssistantId: query.assistantId },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1 },
    );
    return agent ? AgentResponse.of(agent) : null;
  }
}
