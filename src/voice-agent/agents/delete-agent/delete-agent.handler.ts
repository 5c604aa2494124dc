import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { Agent } from '../agent.entity.js';
import { AgentInUseError, AgentNotFoundError } from '../agent.errors.js';
import { IsAgentInUseQuery } from '../is-agent-in-use/is-agent-in-use.query.js';
import { DeleteAgentCommand } from './delete-agent.command.js';

@CommandHandler(DeleteAgentCommand)
export class DeleteAgentHandler implements ICommandHandler<DeleteAgentCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
  ) {}

  async execute(command: DeleteAgentCommand): Promise<void> {
    const agent = await this.em.findOne(Agent, { id: command.agentId, projectId: command.projectId });
    if (!agent) throw new AgentNotFoundError(command.agentId);
    if (await this.queries.execute(new IsAgentInUseQuery(agent.id))) throw new AgentInUseError(agent.id);
    await this.em.remove(agent).flush();
  }
}
