import { EntityManager } from '@mikro-orm/postgresql';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GetProjectQuery } from '../../tenancy/index.js';
import { PhoneNumber } from '../phone-number.entity.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { ListNumbersQuery } from './list-numbers.query.js';

@QueryHandler(ListNumbersQuery)
export class ListNumbersHandler implements IQueryHandler<ListNumbersQuery> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
  ) {}

  async execute({ projectId }: ListNumbersQuery): Promise<PhoneNumberResponse[]> {
    await this.queries.execute(new GetProjectQuery(projectId));
    const numbers = await this.em.fork().find(PhoneNumber, { projectId }, { orderBy: { createdAt: 'desc' } });
    return numbers.map((n) => PhoneNumberResponse.of(n));
  }
}
