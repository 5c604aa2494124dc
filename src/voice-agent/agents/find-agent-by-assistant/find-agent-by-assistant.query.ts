import { Query } from '@nestjs/cqrs';
import type { AgentResponse } from '../agent.response.js';

/**
 * The project's agent (of the current tenant) on this Vapi assistant, the oldest when several are, or null: how a
 * number found in Vapi (the sync) learns which agent it answers with.
 */
export class FindAgentByAssistantQuery extends Query<AgentResponse | null> {
  constructor(
    readonly projectId: string,
    readonly assistantId: string,
  ) {
    super();
  }
}
