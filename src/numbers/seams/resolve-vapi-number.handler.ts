import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ResolveVapiNumberQuery, type VapiNumberRoute } from '../../voice-agent/index.js';

interface RouteRow {
  tenant_id: string;
  project_id: string;
  agent_id: string;
  number_id: string;
  e164: string;
}

/**
 * Who owns a Vapi number, asked by the webhook before any tenant is known. Row-level security hides every tenant's
 * numbers outside a tenant scope, so this goes through `resolve_vapi_number`, a security-definer function that
 * answers only this question (see the migration that creates `phone_number`).
 */
@QueryHandler(ResolveVapiNumberQuery)
export class ResolveVapiNumberHandler implements IQueryHandler<ResolveVapiNumberQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ key }: ResolveVapiNumberQuery): Promise<VapiNumberRoute | null> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<RouteRow[]>('select * from resolve_vapi_number(?, ?)', [
        'vapiPhoneNumberId' in key ? key.vapiPhoneNumberId : null,
        'number' in key ? key.number : null,
      ]);
    return row
      ? {
          tenantId: row.tenant_id,
          projectId: row.project_id,
          agentId: row.agent_id,
          numberId: row.number_id,
          e164: row.e164,
        }
      : null;
  }
}
