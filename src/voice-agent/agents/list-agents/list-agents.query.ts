import { Query } from '@nestjs/cqrs';
import type { AgentResponse } from '../agent.response.js';

export class ListAgentsQuery extends Query<AgentResponse[]> {
  constructor(readonly projectId: string) {
    super();
  }
}
