import { Query } from '@nestjs/cqrs';

/**
 * Whether a live number of the current tenant answers with this agent. The seam to the numbers module: it owns the
 * numbers, so it registers the handler (`@QueryHandler(IsAgentInUseQuery)`), which runs inside the tenant's scope.
 * Until a handler exists, deleting an agent fails rather than risk orphaning a live number.
 */
export class IsAgentInUseQuery extends Query<boolean> {
  constructor(readonly agentId: string) {
    super();
  }
}
