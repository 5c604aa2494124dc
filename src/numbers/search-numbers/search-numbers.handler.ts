import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NumbersConfig } from '../../config/index.js';
import { TenantQuotas, TenantScope } from '../../tenancy/index.js';
import { validAreaCode } from '../area-codes.js';
import { NumberCatalog, needsAddress } from './number-catalog.js';
import { SearchNumbersQuery } from './search-numbers.query.js';
import type { SearchNumbersResponse } from './search-numbers.response.js';

@QueryHandler(SearchNumbersQuery)
export class SearchNumbersHandler implements IQueryHandler<SearchNumbersQuery> {
  constructor(
    private readonly catalog: NumberCatalog,
    private readonly quotas: TenantQuotas,
    private readonly scope: TenantScope,
    private readonly config: NumbersConfig,
  ) {}

  async execute({ search }: SearchNumbersQuery): Promise<SearchNumbersResponse> {
    const areaCode =
      search.areaCode ?? (search.tollFree || search.region ? null : this.config.defaultAreaCode);
    if (areaCode !== null) validAreaCode(areaCode);
    // Each search is a Twilio call on the platform's account: limited per tenant (429 RATE_LIMITED).
    await this.quotas.consume(this.scope.tenantId, 'numbers.search');
    const found = await this.catalog.search({
      areaCode: areaCode ?? undefined,
      contains: search.contains,
      region: search.region,
      tollFree: search.tollFree,
      limit: search.limit ?? 20,
    });
    return {
      areaCode,
      numbers: found.map((n) => ({
        e164: n.phoneNumber,
        friendlyName: n.friendlyName,
        locality: n.locality,
        region: n.region,
        postalCode: n.postalCode,
        capabilities: { voice: n.capabilities.voice, sms: n.capabilities.sms, mms: n.capabilities.mms },
        country: n.isoCountry,
        addressRequired: needsAddress(n),
      })),
    };
  }
}
