import { Command } from '@nestjs/cqrs';
import type { ProjectResponse } from '../project.response.js';

export class CreateProjectCommand extends Command<ProjectResponse> {
  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly fallbackNumber: string | null,
  ) {
    super();
  }
}
