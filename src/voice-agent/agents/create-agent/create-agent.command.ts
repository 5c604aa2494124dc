import { Command } from '@nestjs/cqrs';
import type { AgentResponse } from '../agent.response.js';

export class CreateAgentCommand extends Command<AgentResponse> {
  constructor(
    readonly tenantId: string,
    readonly projectId: string,
    readonly name: string,
    readonly vapiAssistantId: string,
  ) {
    super();
  }
}
