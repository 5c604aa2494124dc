import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { IsAgentInUseQuery } from '../../voice-agent/index.js';
import { PhoneNumber } from '../phone-number.entity.js';

/**
 * An agent is in use while a number that is not released answers with it (a failed number may still be retried,
 * and needs its agent then).
 */
@QueryHandler(IsAgentInUseQuery)
export class IsAgentInUseHandler implements IQueryHandler<IsAgentInUseQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ agentId }: IsAgentInUseQuery): Promise<boolean> {
    const count = await this.em.fork().count(PhoneNumber, { agentId, status: { $ne: 'released' } });
    return count > 0;
  }
}
