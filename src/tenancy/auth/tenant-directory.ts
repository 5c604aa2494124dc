import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** Maps the identity provider's tenant ids to ours, creating the tenant the first time it is seen. */
@Injectable()
export class TenantDirectory {
  constructor(private readonly em: EntityManager) {}

  /**
   * Our tenant id for `externalId`; safe when two first requests of a tenant arrive together. Asked before any
   * tenant is known, so through the narrow `tenant_ensure` (the application's role reads no `tenant` row).
   */
  async ensure(externalId: string): Promise<string> {
    const [row] = await this.em
      .getConnection()
      .execute<{ id: string }[]>('select tenant_ensure(?) as id', [externalId]);
    return row.id;
  }
}
