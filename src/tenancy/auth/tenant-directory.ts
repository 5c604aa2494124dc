import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** Maps the identity provider's tenant ids to ours, creating the tenant the first time it is seen. */
@Injectable()
export class TenantDirectory {
  constructor(private readonly em: EntityManager) {}

  /** Our tenant id for `externalId`; safe when two first requests of a tenant arrive together. */
  async ensure(externalId: string): Promise<string> {
    return this.em.transactional(async (tx) => {
      await tx.execute(
        'insert into tenant (id, external_id) values (?, ?) on conflict (external_id) do nothing',
        [randomUUID(), externalId],
      );
      const [row] = await tx.execute<{ id: string }[]>('select id from tenant where external_id = ?', [
        externalId,
      ]);
      return row.id;
    });
  }
}
