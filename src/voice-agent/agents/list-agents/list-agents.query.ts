import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../shared/pagination/keyset-page.js';
import type { PageQueryDto } from '../../../shared/pagination/page-query.dto.js';
import type { AgentResponse } from '../agent.response.js';

/** A page of a project's agents, oldest first. */
export class ListAgentsQuery extends Query<Page<AgentResponse>> {
  constructor(
    readonly projectId: string,
    readonly page: PageQueryDto,
  ) {
    super();
  }
}
