import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { EntityName, QueryOrderMap } from '@mikro-orm/core';
import { DEFAULT_PAGE_SIZE, type PageQueryDto } from './page-query.dto.js';
import { ValidationFailedError } from '../http/http.errors.js';

/** One page of a list and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Where a page ends: the sort key of its last row. */
export interface Keyset {
  createdAt: Date;
  id: string;
}

interface Listed {
  id: string;
  createdAt: Date;
}

export function encodeCursor(last: Keyset): string {
  return Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
}

/** The keyset a cursor stands for; `VALIDATION.FAILED` naming `cursor` when it is not one of ours. */
export function decodeCursor(cursor: string): Keyset {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
    if (date && !Number.isNaN(date.getTime()) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) {
      return { createdAt: date, id };
    }
  } catch {
    // Not base64url JSON: refused below.
  }
  throw new ValidationFailedError([
    { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
  ]);
}

/**
 * One page of `entity` rows matching `where`, ordered by (createdAt, id) in `order`, after the page's cursor
 * (keyset pagination: stable while rows are added, no offset to scan). Reads `limit + 1` rows to know whether a
 * next page exists.
 */
export async function findPage<E extends Listed, R>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  page: PageQueryDto,
  order: 'asc' | 'desc',
  map: (row: E) => R,
): Promise<Page<R>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const beyond = order === 'asc' ? '$gt' : '$lt';
  const keyset = after
    ? {
        $or: [
          { createdAt: { [beyond]: after.createdAt } },
          { createdAt: after.createdAt, id: { [beyond]: after.id } },
        ],
      }
    : {};
  const rows = await em.find(entity, { $and: [where, keyset] } as FilterQuery<E>, {
    orderBy: { createdAt: order, id: order } as QueryOrderMap<E>,
    limit: limit + 1,
  });
  return toPage(rows, limit, (row) => row, map);
}

/**
 * The page of `rows`, read with `limit + 1` in the list's order (the extra row says that a next page exists): its
 * first `limit` rows, and the cursor of the last of them when there is more.
 */
export function toPage<T, R>(
  rows: T[],
  limit: number,
  keysetOf: (row: T) => Keyset,
  map: (row: T) => R,
): Page<R> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(keysetOf(last)) : null,
  };
}
