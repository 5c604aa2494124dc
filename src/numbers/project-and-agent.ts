import type { QueryBus } from '@nestjs/cqrs';
import { GetProjectQuery, type ProjectResponse } from '../tenancy/index.js';
import { GetAgentQuery, type AgentResponse } from '../voice-agent/index.js';

/**
 * A number's project and agent, both read at once (each its own round trip), answered as if read one after the
 * other: the project's `PROJECTS.NOT_FOUND` first (another tenant's project has no agent of ours either), then the
 * agent's `AGENTS.NOT_FOUND`.
 */
export async function projectAndAgent(
  queries: QueryBus,
  number: { projectId: string; agentId: string },
): Promise<{ project: ProjectResponse; agent: AgentResponse }> {
  const [project, agent] = await Promise.allSettled([
    queries.execute(new GetProjectQuery(number.projectId)),
    queries.execute(new GetAgentQuery(number.projectId, number.agentId)),
  ]);
  if (project.status === 'rejected') throw project.reason;
  if (agent.status === 'rejected') throw agent.reason;
  return { project: project.value, agent: agent.value };
}
