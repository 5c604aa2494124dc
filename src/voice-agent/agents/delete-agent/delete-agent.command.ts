import { Command } from '@nestjs/cqrs';

export class DeleteAgentCommand extends Command<void> {
  constructor(
    readonly projectId: string,
    readonly agentId: string,
  ) {
    super();
  }
}
