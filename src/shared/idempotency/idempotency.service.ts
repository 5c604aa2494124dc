import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { IdempotencyConfig } from '../../config/index.js';
import type { JsonValue } from '../domain/domain-event.js';
import { DomainError, type ErrorKind, type FieldProblem } from '../errors/index.js';
import { inTenantTransaction } from '../tenant-scope/tenant-transaction.js';
import { Clock } from '../time/clock.js';
import { IdempotencyInProgressError, IdempotencyMismatchError, ReplayedError } from './idempotency.errors.js';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

const POLL_MS = 50;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** The answer a request produced, as it is stored and replayed. */
export interface IdempotentResponse {
  status: number;
  body: JsonValue;
  /** Headers that are part of the answer (e.g. `Location`). */
  headers?: Record<string, string>;
}

export interface IdempotentResult extends IdempotentResponse {
  /** True when this is the stored answer of an earlier request. */
  replayed: boolean;
}

interface StoredError {
  kind: ErrorKind;
  code: string;
  message: string;
  details: Record<string, unknown>;
  errors: FieldProblem[];
}

interface KeyRow {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: JsonValue;
  response_error: StoredError | null;
  locked_until: Date | string;
  expires_at: Date | string;
}

/**
 * Client errors are outcomes of the request itself (its input, the state it met): replaying them is
 * what the client would get again. Everything else (a provider down, a rate limit, a bug) is released,
 * so that a retry with the same key runs again.
 */
const REPLAYED_KINDS: readonly ErrorKind[] = ['invalid', 'not-found', 'conflict', 'unprocessable'];

/**
 * Idempotency-Key storage: the first request with a (tenant, key) runs; the same key with the same
 * request (see `requestFingerprint`) within the TTL gets the first answer again, status, headers and
 * body, or the same client error; while the first one runs, others wait up to `waitMs` for its answer,
 * then get 409 `IDEMPOTENCY.IN_PROGRESS`; the same key with another request is 422 `IDEMPOTENCY.MISMATCH`.
 * A run that fails with a server or provider error releases the key. A key left in progress by a process
 * that died is taken over once its lease (`leaseMs`) has run out.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly config: IdempotencyConfig,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.pruneExpired().catch(() => undefined), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /**
   * For a controller: runs `run` once per `Idempotency-Key` header value (or every time when there is
   * none), the request being its method, path and body.
   */
  async handle(
    tenantId: string,
    keyHeader: string | string[] | undefined,
    request: { method: string; path: string; body?: unknown },
    run: () => Promise<IdempotentResponse>,
  ): Promise<IdempotentResult> {
    const key = parseIdempotencyKey(keyHeader);
    if (key === undefined) return { ...(await run()), replayed: false };
    return this.execute(tenantId, key, requestFingerprint(request), run);
  }

  async execute(
    tenantId: string,
    key: string,
    fingerprint: string,
    run: () => Promise<IdempotentResponse>,
  ): Promise<IdempotentResult> {
    const waitUntil = performance.now() + this.config.waitMs;
    for (;;) {
      const now = this.clock.now();
      if (await this.tryAcquire(tenantId, key, fingerprint, now)) {
        return this.runOwned(tenantId, key, run);
      }
      const row = await this.find(tenantId, key);
      if (!row) continue; // released or pruned in between: try to take it
      if (new Date(row.expires_at) <= now) {
        await this.sql(
          tenantId,
          'delete from idempotency_key where tenant_id = ? and key = ? and expires_at <= ?',
          [tenantId, key, now],
        );
        continue;
      }
      if (row.fingerprint !== fingerprint) throw new IdempotencyMismatchError();
      if (row.state === 'completed') return this.replay(row);
      if (new Date(row.locked_until) <= now && (await this.takeOver(tenantId, key, row, now))) {
        return this.runOwned(tenantId, key, run);
      }
      const left = waitUntil - performance.now();
      if (left <= 0) throw new IdempotencyInProgressError();
      await sleep(Math.min(POLL_MS, left));
    }
  }

  /** Deletes expired keys of every tenant (through the narrow `idempotency_prune`); returns how many. */
  async pruneExpired(): Promise<number> {
    const [row] = await this.orm.em
      .getConnection()
      .execute<{ pruned: number }[]>('select idempotency_prune(?) as pruned', [this.clock.now()]);
    return row.pruned;
  }

  private async tryAcquire(tenantId: string, key: string, fingerprint: string, now: Date): Promise<boolean> {
    const rows = await this.sql<unknown[]>(
      tenantId,
      `insert into idempotency_key (tenant_id, key, fingerprint, state, created_at, locked_until, expires_at)
       values (?, ?, ?, 'in_progress', ?, ?, ?)
       on conflict (tenant_id, key) do nothing
       returning key`,
      [
        tenantId,
        key,
        fingerprint,
        now,
        this.leaseEnd(now),
        new Date(now.getTime() + this.config.ttlHours * HOUR_MS),
      ],
      'all',
    );
    return rows.length === 1;
  }

  /** Takes over a key whose holder's lease ran out, unless someone else did first. */
  private async takeOver(tenantId: string, key: string, row: KeyRow, now: Date): Promise<boolean> {
    const rows = await this.sql<unknown[]>(
      tenantId,
      `update idempotency_key set locked_until = ?
        where tenant_id = ? and key = ? and state = 'in_progress' and locked_until = ?
       returning key`,
      [this.leaseEnd(now), tenantId, key, new Date(row.locked_until)],
      'all',
    );
    return rows.length === 1;
  }

  private async runOwned(
    tenantId: string,
    key: string,
    run: () => Promise<IdempotentResponse>,
  ): Promise<IdempotentResult> {
    let response: IdempotentResponse;
    try {
      response = await run();
    } catch (error) {
      if (error instanceof DomainError && REPLAYED_KINDS.includes(error.kind)) {
        const stored: StoredError = {
          kind: error.kind,
          code: error.code,
          message: error.message,
          details: error.details,
          errors: error.errors,
        };
        await this.complete(tenantId, key, null, null, null, stored);
      } else {
        await this.sql(
          tenantId,
          "delete from idempotency_key where tenant_id = ? and key = ? and state = 'in_progress'",
          [tenantId, key],
        );
      }
      throw error;
    }
    await this.complete(tenantId, key, response.status, response.headers ?? null, response.body, null);
    return { ...response, replayed: false };
  }

  private complete(
    tenantId: string,
    key: string,
    status: number | null,
    headers: Record<string, string> | null,
    body: JsonValue | null,
    error: StoredError | null,
  ) {
    return this.sql(
      tenantId,
      `update idempotency_key
          set state = 'completed', response_status = ?, response_headers = ?, response_body = ?, response_error = ?
        where tenant_id = ? and key = ?`,
      [
        status,
        headers && JSON.stringify(headers),
        body === null ? null : JSON.stringify(body),
        error && JSON.stringify(error),
        tenantId,
        key,
      ],
    );
  }

  private replay(row: KeyRow): IdempotentResult {
    const error = row.response_error;
    if (error) throw new ReplayedError(error.kind, error.code, error.message, error.details, error.errors);
    return {
      status: row.response_status!,
      body: row.response_body,
      ...(row.response_headers ? { headers: row.response_headers } : {}),
      replayed: true,
    };
  }

  private async find(tenantId: string, key: string): Promise<KeyRow | undefined> {
    const rows = await this.sql<KeyRow[]>(
      tenantId,
      `select fingerprint, state, response_status, response_headers, response_body, response_error,
              locked_until, expires_at
         from idempotency_key where tenant_id = ? and key = ?`,
      [tenantId, key],
      'all',
    );
    return rows[0];
  }

  private leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.config.leaseMs);
  }

  /** One statement in the tenant's own transaction: the keys are isolated by row-level security. */
  private sql<T = unknown>(
    tenantId: string,
    query: string,
    params: unknown[],
    method: 'all' | 'run' = 'run',
  ): Promise<T> {
    const connection = this.orm.em.getConnection();
    return inTenantTransaction(
      connection,
      tenantId,
      (trx) => connection.execute(query, params, method, trx) as Promise<T>,
    );
  }
}
