import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { isoTimestamp, readRowInTenant } from '../../../shared/tenant-scope/tenant-transaction.js';
import { TenantScope } from '../../tenant-scope/tenant-scope.js';
import { Project } from '../project.entity.js';
import { ProjectNotFoundError } from '../project.errors.js';
import { ProjectResponse } from '../project.response.js';
import { GetProjectQuery } from './get-project.query.js';

/** The answer's columns, named and written as `ProjectResponse.of` writes them: the row is the answer. */
const COLUMNS = [
  'id',
  'name',
  'fallback_number as "fallbackNumber"',
  isoTimestamp('created_at', 'createdAt'),
  isoTimestamp('updated_at', 'updatedAt'),
].join(', ');

/**
 * One project, read from the database even when this unit of work loaded it already: a step that asks twice (the
 * provisioning's activation, before and after its commit) is to see a fallback changed in between. Outside a
 * transaction (a click, a provisioning step) one round trip with no entity built; in the caller's, read there
 * (`readRowInTenant`).
 */
@QueryHandler(GetProjectQuery)
export class GetProjectHandler implements IQueryHandler<GetProjectQuery> {
  constructor(
    private readonly em: EntityManager,
    private readonly scope: TenantScope,
  ) {}

  async execute({ projectId }: GetProjectQuery): Promise<ProjectResponse> {
    const project = await readRowInTenant<ProjectResponse>(
      this.em,
      () => this.scope.tenantId,
      `select ${COLUMNS} from project where tenant_id = ? and id = ?`,
      [projectId],
      async () => {
        const entity = await this.em.findOne(Project, { id: projectId }, { refresh: true });
        return entity ? ProjectResponse.of(entity) : undefined;
      },
    );
    if (!project) throw new ProjectNotFoundError(projectId);
    return project;
  }
}
