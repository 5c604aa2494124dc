import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Project } from '../project.entity.js';
import { ProjectNotFoundError } from '../project.errors.js';
import { ProjectResponse } from '../project.response.js';
import { GetProjectQuery } from './get-project.query.js';

@QueryHandler(GetProjectQuery)
export class GetProjectHandler implements IQueryHandler<GetProjectQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute(query: GetProjectQuery): Promise<ProjectResponse> {
    // Read from the database even when this unit of work loaded the project already: a step that asks twice (the
    // provisioning's activation, before and after its commit) is to see a fallback changed in between.
    const project = await this.em.findOne(Project, { id: query.projectId }, { refresh: true });
    if (!project) throw new ProjectNotFoundError(query.projectId);
    return ProjectResponse.of(project);
  }
}
