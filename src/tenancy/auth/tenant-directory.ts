import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** Tenants whose ids this process remembers; beyond, the longest-known is forgotten (and asked again if needed). */
const REMEMBERED_TENANTS = 10_000;

/** Maps the identity provider's tenant ids to ours, creating the tenant the first time it is seen. */
@Injectable()
export class TenantDirectory {
  /**
   * A tenant's id never changes and its row is never deleted, so once known it is remembered: every request
   * would otherwise open a transaction of its own (three round trips) to ask `tenant_ensure` again.
   */
  private readonly known = new Map<string, string>();

  constructor(private readonly em: EntityManager) {}

  /**
   * Our tenant id for `externalId`; safe when two first requests of a tenant arrive together. Asked before any
   * tenant is known, so through the narrow `tenant_ensure` (the application's role reads no `tenant` row).
   */
  async ensure(externalId: string): Promise<string> {
    const remembered = this.known.get(externalId);
    if (remembered !== undefined) return remembered;
    const [row] = await this.em
      .getConnection()
      .execute<{ id: string }[]>('select tenant_ensure(?) as id', [externalId]);
    if (this.known.size >= REMEMBERED_TENANTS) this.known.delete(this.known.keys().next().value!);
    this.known.set(externalId, row.id);
    return row.id;
  }
}
