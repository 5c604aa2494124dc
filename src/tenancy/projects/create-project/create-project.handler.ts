import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TenancyConfig } from '../../../config/index.js';
import { assertAllowedFallbackNumber } from '../fallback-number.js';
import { Project } from '../project.entity.js';
import { ProjectResponse } from '../project.response.js';
import { CreateProjectCommand } from './create-project.command.js';

@CommandHandler(CreateProjectCommand)
export class CreateProjectHandler implements ICommandHandler<CreateProjectCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly tenancy: TenancyConfig,
  ) {}

  async execute(command: CreateProjectCommand): Promise<ProjectResponse> {
    assertAllowedFallbackNumber(command.fallbackNumber, this.tenancy.fallbackCountries);
    const project = new Project(command);
    await this.em.persist(project).flush();
    return ProjectResponse.of(project);
  }
}
