import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Project } from '../project.entity.js';
import { ProjectResponse } from '../project.response.js';
import { CreateProjectCommand } from './create-project.command.js';

@CommandHandler(CreateProjectCommand)
export class CreateProjectHandler implements ICommandHandler<CreateProjectCommand> {
  constructor(private readonly em: EntityManager) {}

  async execute(command: CreateProjectCommand): Promise<ProjectResponse> {
    const project = new Project(command);
    await this.em.persist(project).flush();
    return ProjectResponse.of(project);
  }
}
