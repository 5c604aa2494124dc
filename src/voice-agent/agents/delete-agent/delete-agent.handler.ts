import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { NumberDirectory } from '../../number-directory.port.js';
import { Agent } from '../agent.entity.js';
import { AgentInUseError, AgentNotFoundError } from '../agent.errors.js';
import { DeleteAgentCommand } from './delete-agent.command.js';

@CommandHandler(DeleteAgentCommand)
export class DeleteAgentHandler implements ICommandHandler<DeleteAgentCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly numbers: NumberDirectory,
  ) {}

  async execute(command: DeleteAgentCommand): Promise<void> {
    const agent = await this.em.findOne(Agent, { id: command.agentId, projectId: command.projectId });
    if (!agent) throw new AgentNotFoundError(command.agentId);
    if (await this.numbers.isAgentInUse(agent.id)) throw new AgentInUseError(agent.id);
    await this.em.remove(agent).flush();
  }
}
