import { EntityManager } from '@mikro-orm/postgresql';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { findPage, type Page } from '../../shared/pagination/keyset-page.js';
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

  async execute({ projectId, page }: ListNumbersQuery): Promise<Page<PhoneNumberResponse>> {
    await this.queries.execute(new GetProjectQuery(projectId));
    // A refused purchase holds nothing: it is no number of the project's.
    return findPage(
      this.em.fork(),
      PhoneNumber,
      { projectId, status: { $ne: 'refused' } },
      page,
      'desc',
      (n) => PhoneNumberResponse.of(n),
    );
  }
}
