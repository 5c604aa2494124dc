import { EntityManager } from '@mikro-orm/postgresql';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PhoneNumber } from '../phone-number.entity.js';
import { PhoneNumberNotFoundError } from '../phone-number.errors.js';
import { PhoneNumberResponse } from '../phone-number.response.js';
import { GetNumberQuery } from './get-number.query.js';

@QueryHandler(GetNumberQuery)
export class GetNumberHandler implements IQueryHandler<GetNumberQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ id }: GetNumberQuery): Promise<PhoneNumberResponse> {
    const number = await this.em.fork().findOne(PhoneNumber, id);
    if (!number) throw new PhoneNumberNotFoundError(id);
    return PhoneNumberResponse.of(number);
  }
}
