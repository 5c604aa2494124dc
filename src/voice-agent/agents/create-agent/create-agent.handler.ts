import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { GetProjectQuery, TenantQuotas } from '../../../tenancy/index.js';
import { VoiceAgentPort } from '../../voice-agent.port.js';
import { Agent } from '../agent.entity.js';
import { AssistantNotFoundError } from '../agent.errors.js';
import { AgentResponse } from '../agent.response.js';
import { CreateAgentCommand } from './create-agent.command.js';

@CommandHandler(CreateAgentCommand)
export class CreateAgentHandler implements ICommandHandler<CreateAgentCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
    private readonly voiceAgent: VoiceAgentPort,
    private readonly quotas: TenantQuotas,
  ) {}

  async execute(command: CreateAgentCommand): Promise<AgentResponse> {
    await this.queries.execute(new GetProjectQuery(command.projectId));
    // Each creation asks Vapi for the assistant: limited per tenant (429 RATE_LIMITED).
    await this.quotas.consume(command.tenantId, 'agents.create');
    // No transaction is open across the provider call.
    const assistant = await this.voiceAgent.getAssistant(command.vapiAssistantId);
    if (!assistant) throw new AssistantNotFoundError(command.vapiAssistantId);
    const agent = new Agent(command);
    await this.em.persist(agent).flush();
    return AgentResponse.of(agent);
  }
}
