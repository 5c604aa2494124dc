import { EntityManager } from '@mikro-orm/postgresql';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GetProjectQuery } from '../../../tenancy/index.js';
import { Agent } from '../agent.entity.js';
import { AgentResponse } from '../agent.response.js';
import { ListAgentsQuery } from './list-agents.query.js';

@QueryHandler(ListAgentsQuery)
export class ListAgentsHandler implements IQueryHandler<ListAgentsQuery> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
  ) {}

  async execute(query: ListAgentsQuery): Promise<AgentResponse[]> {
    await this.queries.execute(new GetProjectQuery(query.projectId));
    const agents = await this.em.find(
      Agent,
      { projectId: query.projectId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return agents.map(AgentResponse.of);
  }
}
