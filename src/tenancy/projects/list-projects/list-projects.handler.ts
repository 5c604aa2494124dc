import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { findPage, type Page } from '../../../shared/pagination/keyset-page.js';
import { Project } from '../project.entity.js';
import { ProjectResponse } from '../project.response.js';
import { ListProjectsQuery } from './list-projects.query.js';

@QueryHandler(ListProjectsQuery)
export class ListProjectsHandler implements IQueryHandler<ListProjectsQuery> {
  constructor(private readonly em: EntityManager) {}

  execute({ page }: ListProjectsQuery): Promise<Page<ProjectResponse>> {
    return findPage(this.em, Project, {}, page, 'asc', ProjectResponse.of);
  }
}
