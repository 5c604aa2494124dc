import { NotFoundError } from '../../shared/errors/index.js';

/** Also what another tenant's project looks like: its existence is not revealed. */
export class ProjectNotFoundError extends NotFoundError {
  constructor(projectId: string) {
    super('PROJECTS.NOT_FOUND', `There is no project ${projectId}.`);
  }
}
