import { EntityManager } from '@mikro-orm/postgresql';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { findPage, type Page } from '../../../shared/pagination/keyset-page.js';
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

  async execute(query: ListAgentsQuery): Promise<Page<AgentResponse>> {
    await this.queries.execute(new GetProjectQuery(query.projectId));
    return findPage(this.em, Agent, { projectId: query.projectId }, query.page, 'asc', AgentResponse.of);
  }
}
