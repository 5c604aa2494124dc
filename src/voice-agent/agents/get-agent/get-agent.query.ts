import { Query } from '@nestjs/cqrs';
import type { AgentResponse } from '../agent.response.js';

/** An agent of a project of the current tenant; `AGENTS.NOT_FOUND` (404) otherwise. For `POST /api/numbers`. */
export class GetAgentQuery extends Query<AgentResponse> {
  constructor(
    readonly projectId: string,
    readonly agentId: string,
  ) {
    super();
  }
}
