import { NotFoundError } from '../../shared/errors/index.js';

/** Also what another tenant's project looks like: its existence is not revealed. */
export class ProjectNotFoundError extends NotFoundError {
  static override readonly code = 'PROJECTS.NOT_FOUND';

  constructor(projectId: string) {
    super(`There is no project ${projectId}.`);
  }
}
