import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Project } from '../project.entity.js';
import { ProjectResponse } from '../project.response.js';
import { ListProjectsQuery } from './list-projects.query.js';

@QueryHandler(ListProjectsQuery)
export class ListProjectsHandler implements IQueryHandler<ListProjectsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute(): Promise<ProjectResponse[]> {
    const projects = await this.em.find(Project, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return projects.map(ProjectResponse.of);
  }
}
