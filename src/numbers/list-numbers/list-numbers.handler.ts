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
    // The project's check and the page in one transaction: each transaction costs round trips to the database
    // (its opening and role, the tenant's setting, its commit), more than the two reads themselves.
    return this.em.fork().transactional(async (em) => {
      await this.queries.execute(new GetProjectQuery(projectId));
      // A refused purchase holds nothing: it is no number of the project's.
      return findPage(em, PhoneNumber, { projectId, status: { $ne: 'refused' } }, page, 'desc', (n) =>
        PhoneNumberResponse.of(n),
      );
    });
  }
}
