import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Whether any tenant holds the number (not released): the one question across tenants that an import or a sync asks,
 * through the narrow security-definer `phone_number_is_held` rather than past row-level security.
 */
export async function isHeldByAnyone(em: EntityManager, e164: string): Promise<boolean> {
  const [row] = await em.execute<{ held: boolean }[]>('select phone_number_is_held(?) as held', [e164]);
  return row?.held === true;
}
