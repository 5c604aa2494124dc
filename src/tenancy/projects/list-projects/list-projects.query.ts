import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../shared/pagination/keyset-page.js';
import type { PageQueryDto } from '../../../shared/pagination/page-query.dto.js';
import type { ProjectResponse } from '../project.response.js';

/** A page of the current tenant's projects, oldest first. */
export class ListProjectsQuery extends Query<Page<ProjectResponse>> {
  constructor(readonly page: PageQueryDto) {
    super();
  }
}
