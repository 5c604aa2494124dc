import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { isoTimestamp, readRowInTenant } from '../../../shared/tenant-scope/tenant-transaction.js';
import { TenantScope } from '../../../tenancy/index.js';
import { Agent } from '../agent.entity.js';
import { AgentNotFoundError } from '../agent.errors.js';
import { AgentResponse } from '../agent.response.js';
import { GetAgentQuery } from './get-agent.query.js';

/** The answer's columns, named and written as `AgentResponse.of` writes them: the row is the answer. */
const COLUMNS = [
  'id',
  'project_id as "projectId"',
  'name',
  'vapi_assistant_id as "vapiAssistantId"',
  isoTimestamp('created_at', 'createdAt'),
].join(', ');

/**
 * An agent of a project. Outside a transaction (a click, a provisioning step) one round trip with no entity built;
 * in the caller's, read there (`readRowInTenant`).
 */
@QueryHandler(GetAgentQuery)
export class GetAgentHandler implements IQueryHandler<GetAgentQuery> {
  constructor(
    private readonly em: EntityManager,
    private readonly scope: TenantScope,
  ) {}

  async execute({ projectId, agentId }: GetAgentQuery): Promise<AgentResponse> {
    const agent = await readRowInTenant<AgentResponse>(
      this.em,
      () => this.scope.tenantId,
      `select ${COLUMNS} from agent where tenant_id = ? and id = ? and project_id = ?`,
      [agentId, projectId],
      async () => {
        const entity = await this.em.findOne(Agent, { id: agentId, projectId });
        return entity ? AgentResponse.of(entity) : undefined;
      },
    );
    if (!agent) throw new AgentNotFoundError(agentId);
    return agent;
  }
}
