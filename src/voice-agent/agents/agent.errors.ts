import { ConflictError, NotFoundError, UnprocessableError } from '../../shared/errors/index.js';

/** Also what another tenant's agent looks like: its existence is not revealed. */
export class AgentNotFoundError extends NotFoundError {
  static override readonly code = 'AGENTS.NOT_FOUND';

  constructor(agentId: string) {
    super(`The project has no agent ${agentId}.`);
  }
}

export class AssistantNotFoundError extends UnprocessableError {
  static override readonly code = 'AGENTS.ASSISTANT_NOT_FOUND';

  constructor(vapiAssistantId: string) {
    super(`Vapi has no assistant ${vapiAssistantId} in this organization.`, { vapiAssistantId });
  }
}

export class AgentInUseError extends ConflictError {
  static override readonly code = 'AGENTS.IN_USE';

  constructor(agentId: string) {
    super(`The agent ${agentId} answers a live number; move or release the number first.`);
  }
}
