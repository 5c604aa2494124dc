/**
 * Reads at scale: 100,000 numbers across 1,000 tenants written straight into the database (as the tables' owner,
 * with generate_series), and the baseline the service's list is measured against: a minimal `node:http` + `pg`
 * server running the same indexed query under the same row-level security, for the same tenant, the way the
 * application runs every statement (a transaction, `set local role numbers_app`, the tenant's `app.tenant_id`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { encodeCursor } from '../src/shared/pagination/keyset-page.js';

export const READS_TENANT = 'reads-0';

export interface SeededReads {
  /** The measured tenant's internal id, its project, the cursor of a page deep in the project's list. */
  tenantId: string;
  projectId: string;
  numbersInProject: number;
  deepCursor: string;
  deepOffset: number;
  totalNumbers: number;
  tenants: number;
  seconds: number;
}

/**
 * The measured tenant holds `bigProject` numbers in one project (so that a deep cursor page is deep); the other
 * tenants share the rest, one project each. Every number is active, with a creation time a second apart.
 */
export async function seedReads(
  ownerUrl: string,
  options: { tenants: number; numbers: number; bigProject: number },
): Promise<SeededReads> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const perOther = Math.floor((options.numbers - options.bigProject) / (options.tenants - 1));
    await client.query('begin');
    await client.query(
      `insert into tenant (id, external_id)
       select gen_random_uuid(), 'reads-' || g from generate_series(0, $1::int - 1) g`,
      [options.tenants],
    );
    await client.query(
      `insert into project (id, tenant_id, name)
       select gen_random_uuid(), t.id, 'Reads ' || t.external_id from tenant t where t.external_id like 'reads-%'`,
    );
    const steps = JSON.stringify(
      Object.fromEntries(
        ['purchase', 'register', 'activate'].map((s) => [
          s,
          { status: 'succeeded', attempts: 1, lastError: null, updatedAt: '2026-11-30T12:00:00.000Z' },
        ]),
      ),
    );
    // Creation times whole milliseconds apart (a cursor carries milliseconds), numbers unique across the seed.
    await client.query(
      `insert into phone_number (id, tenant_id, project_id, area_code, e164, twilio_sid, vapi_number_id, status,
                                 steps, created_at, updated_at, activated_at)
       select gen_random_uuid(), p.tenant_id, p.id, '205',
              '+1205' || lpad((row_number() over ())::text, 7, '0'),
              'PN' || md5(p.id::text || g::text), gen_random_uuid()::text, 'active', $1::jsonb,
              date_trunc('milliseconds', now()) - g * interval '1 second',
              now(), now()
         from project p join tenant t on t.id = p.tenant_id
        cross join lateral generate_series(1, case when t.external_id = $2 then $3::int else $4::int end) g
        where t.external_id like 'reads-%'`,
      [steps, READS_TENANT, options.bigProject, perOther],
    );
    await client.query('commit');
    await client.query('analyze tenant; analyze project; analyze phone_number');
    const { rows } = await client.query<{ tenant_id: string; project_id: string; n: string }>(
      `select p.tenant_id, p.id as project_id, count(n.id) as n
         from project p join tenant t on t.id = p.tenant_id join phone_number n on n.project_id = p.id
        where t.external_id = $1 group by p.tenant_id, p.id`,
      [READS_TENANT],
    );
    const big = rows[0]!;
    const deepOffset = Math.floor(Number(big.n) * 0.9);
    const deep = await client.query<{ created_at: Date; id: string }>(
      `select created_at, id from phone_number where project_id = $1
        order by created_at desc, id desc offset $2 limit 1`,
      [big.project_id, deepOffset - 1],
    );
    const total = await client.query<{ n: string }>('select count(*) as n from phone_number');
    return {
      tenantId: big.tenant_id,
      projectId: big.project_id,
      numbersInProject: Number(big.n),
      deepCursor: encodeCursor({ createdAt: deep.rows[0]!.created_at, id: deep.rows[0]!.id }),
      deepOffset,
      totalNumbers: Number(total.rows[0]!.n),
      tenants: options.tenants,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.end();
  }
}

/** The list's query, as the ORM sends it for `GET /api/projects/:projectId/numbers` (keyset, newest first). */
function listQuery(after: { createdAt: Date; id: string } | undefined, limit: number) {
  const keyset = after ? 'and (n.created_at < $3 or (n.created_at = $3 and n.id < $4))' : '';
  return `select n.* from phone_number as n
           where n.tenant_id = $1 and n.project_id = $2 and n.status != 'refused' ${keyset}
           order by n.created_at desc, n.id desc limit ${limit + 1}`;
}

function decode(cursor: string | null): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
  return { createdAt: new Date(createdAt), id };
}

/** Runs one page's query as the application does: its own transaction, the application role, the tenant. */
async function inTenant<T>(client: pg.PoolClient, tenantId: string, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query('set local role numbers_app');
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** `EXPLAIN ANALYZE` of the first page and of the deep page, under the tenant's row-level security. */
export async function explainList(ownerUrl: string, seeded: SeededReads): Promise<Record<string, string>> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  const client = await pool.connect();
  try {
    const plans: Record<string, string> = {};
    for (const [name, cursor] of [
      ['firstPage', null],
      ['deepPage', seeded.deepCursor],
    ] as const) {
      const after = decode(cursor);
      const params: unknown[] = [seeded.tenantId, seeded.projectId];
      if (after) params.push(after.createdAt, after.id);
      const { rows } = await inTenant(client, seeded.tenantId, () =>
        client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${listQuery(after, 50)}`, params),
      );
      plans[name] = rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    return plans;
  } finally {
    client.release();
    await pool.end();
  }
}

/**
 * The baseline: `GET /list?cursor=` answers the tenant's page as `{ items, nextCursor }`, through a pool of
 * `poolSize` connections (the service's default), nothing else (no authentication, no framework, no ORM).
 */
export async function startBaseline(
  ownerUrl: string,
  seeded: SeededReads,
  poolSize: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: poolSize });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const after = decode(url.searchParams.get('cursor'));
    const limit = 50;
    void (async () => {
      const client = await pool.connect();
      try {
        const params: unknown[] = [seeded.tenantId, seeded.projectId];
        if (after) params.push(after.createdAt, after.id);
        const { rows } = await inTenant(client, seeded.tenantId, () =>
          client.query<Record<string, unknown>>(listQuery(after, limit), params),
        );
        const items = rows.slice(0, limit).map((r) => ({
          id: r.id,
          projectId: r.project_id,
          agentId: r.agent_id,
          e164: r.e164,
          status: r.status,
          twilioSid: r.twilio_sid,
          vapiNumberId: r.vapi_number_id,
          steps: r.steps,
          createdAt: r.created_at,
          activatedAt: r.activated_at,
        }));
        const last = rows[limit - 1];
        const nextCursor =
          rows.length > limit && last
            ? encodeCursor({ createdAt: last.created_at as Date, id: last.id as string })
            : null;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ items, nextCursor }));
      } catch (error) {
        res.writeHead(500).end(String(error));
      } finally {
        client.release();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
