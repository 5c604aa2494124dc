import { Command } from '@nestjs/cqrs';
import type { ProjectResponse } from '../project.response.js';

export class UpdateProjectCommand extends Command<ProjectResponse> {
  constructor(
    readonly projectId: string,
    readonly changes: { name?: string; fallbackNumber?: string | null },
  ) {
    super();
  }
}
