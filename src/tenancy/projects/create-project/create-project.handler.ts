import { Inject } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { FallbackCountry, TenancyConfig } from '../../../config/index.js';
import { assertAllowedFallbackNumber } from '../fallback-number.js';
import { Project } from '../project.entity.js';
import { ProjectResponse } from '../project.response.js';
import { CreateProjectCommand } from './create-project.command.js';

@CommandHandler(CreateProjectCommand)
export class CreateProjectHandler implements ICommandHandler<CreateProjectCommand> {
  private readonly fallbackCountries: FallbackCountry[];

  constructor(
    private readonly em: EntityManager,
    @Inject(ConfigService) config: ConfigService,
  ) {
    this.fallbackCountries = config.getOrThrow<TenancyConfig>('tenancy').fallbackCountries;
  }

  async execute(command: CreateProjectCommand): Promise<ProjectResponse> {
    assertAllowedFallbackNumber(command.fallbackNumber, this.fallbackCountries);
    const project = new Project(command);
    await this.em.persist(project).flush();
    return ProjectResponse.of(project);
  }
}
