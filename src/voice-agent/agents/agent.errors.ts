import { ConflictError, NotFoundError, UnprocessableError } from '../../shared/errors/index.js';

/** Also what another tenant's agent looks like: its existence is not revealed. */
export class AgentNotFoundError extends NotFoundError {
  constructor(agentId: string) {
    super('AGENTS.NOT_FOUND', `The project has no agent ${agentId}.`);
  }
}

export class AssistantNotFoundError extends UnprocessableError {
  constructor(vapiAssistantId: string) {
    super('AGENTS.ASSISTANT_NOT_FOUND', `Vapi has no assistant ${vapiAssistantId} in this organization.`, {
      vapiAssistantId,
    });
  }
}

export class AgentInUseError extends ConflictError {
  constructor(agentId: string) {
    super('AGENTS.IN_USE', `The agent ${agentId} answers a live number; move or release the number first.`);
  }
}
