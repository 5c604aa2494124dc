import { Query } from '@nestjs/cqrs';
import type { ProjectResponse } from '../project.response.js';

/** The current tenant's projects, oldest first. */
export class ListProjectsQuery extends Query<ProjectResponse[]> {}
