import { Query } from '@nestjs/cqrs';
import type { ProjectResponse } from '../project.response.js';

/** One project of the current tenant; `PROJECTS.NOT_FOUND` (404) when it has none with this id. */
export class GetProjectQuery extends Query<ProjectResponse> {
  constructor(readonly projectId: string) {
    super();
  }
}
