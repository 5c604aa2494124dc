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
    const project = await this.em.findOne(Project, { id: query.projectId });
    if (!project) throw new ProjectNotFoundError(query.projectId);
    return ProjectResponse.of(project);
  }
}
