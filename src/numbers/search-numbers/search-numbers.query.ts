import { Query } from '@nestjs/cqrs';
import type { SearchNumbersDto } from './search-numbers.dto.js';
import type { SearchNumbersResponse } from './search-numbers.response.js';

/** Numbers for sale on Twilio, by area code (default 205), in the area code's (or region's) country. */
export class SearchNumbersQuery extends Query<SearchNumbersResponse> {
  constructor(readonly search: SearchNumbersDto) {
    super();
  }
}
