import { Query } from '@nestjs/cqrs';
import type { SearchNumbersDto } from './search-numbers.dto.js';
import type { SearchNumbersResponse } from './search-numbers.response.js';

/** Numbers for sale on Twilio, by area code (default 205). */
export class SearchNumbersQuery extends Query<SearchNumbersResponse> {
  constructor(readonly search: SearchNumbersDto) {
    super();
  }
}
