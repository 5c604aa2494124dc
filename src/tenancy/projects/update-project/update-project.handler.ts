import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TenancyConfig } from '../../../config/index.js';
import { assertAllowedFallbackNumber } from '../fallback-number.js';
import { Project } from '../project.entity.js';
import { ProjectNotFoundError } from '../project.errors.js';
import { ProjectResponse } from '../project.response.js';
import { UpdateProjectCommand } from './update-project.command.js';

@CommandHandler(UpdateProjectCommand)
export class UpdateProjectHandler implements ICommandHandler<UpdateProjectCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly tenancy: TenancyConfig,
  ) {}

  async execute(command: UpdateProjectCommand): Promise<ProjectResponse> {
    assertAllowedFallbackNumber(command.changes.fallbackNumber, this.tenancy.fallbackCountries);
    const project = await this.em.findOne(Project, { id: command.projectId });
    if (!project) throw new ProjectNotFoundError(command.projectId);
    project.update(command.changes);
    await this.em.flush();
    return ProjectResponse.of(project);
  }
}
