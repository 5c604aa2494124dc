import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import request from 'supertest';
import { readInTenant } from '../src/shared/tenant-scope/tenant-transaction.js';
import { TenantScope } from '../src/tenancy/index.js';
import { FAST_PROVISIONING_ENV, tenantWithProject } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { tenantIdOf } from './support/tokens.js';

const SECRET = 'webhook-secret-for-tests-0123456789';

/** Every table of the application's schema with a `tenant_id` column, read from the catalog. */
const TENANT_TABLES_SQL = `
  select c.table_name as name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
   where c.table_schema = current_schema() and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
   order by 1`;

/** The tables the flows below write for both tenants (a request, a purchase with a key, a call). */
const SEEDED = [
  'agent',
  'idempotency_key',
  'outbox_delivery',
  'outbox_event',
  'phone_number',
  'project',
  'tenant_purchase',
  'vapi_webhook_message',
];

describe('row-level security applies to everything the application runs', () => {
  let t: TestApp;
  let tables: string[];
  let tenantA: string;
  let tenantB: string;
  const http = () => request(t.app.getHttpServer());
  /** Raw SQL through the application's own pool, outside any tenant scope. */
  const appSql = <T>(sql: string) => t.app.get(MikroORM).em.getConnection().execute<T[]>(sql);
  const tenantsIn = async (rows: Promise<{ tenant_id: string }[]>) =>
    [...new Set((await rows).map((row) => row.tenant_id))].sort();

  /** A project, an agent, a number bought with an Idempotency-Key, and an ended call on it. */
  async function seed(tenant: string) {
    const p = await tenantWithProject(t, tenant);
    const bought = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .set('Idempotency-Key', `buy-${tenant}`)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(201);
    await http()
      .post('/api/vapi/webhook')
      .set('x-vapi-secret', SECRET)
      .send({
        message: {
          type: 'end-of-call-report',
          call: { id: `call-of-${tenant}`, phoneNumberId: bought.body.vapiNumberId },
          endedReason: 'customer-ended-call',
        },
      })
      .expect(200, {});
    return tenantIdOf(t, tenant);
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, VAPI_WEBHOOK_SECRET: SECRET } });
    tenantA = await seed('rls-a');
    tenantB = await seed('rls-b');
    tables = (await t.ownerQuery<{ name: string }>(TENANT_TABLES_SQL)).map((row) => row.name);
  }, 120_000); // two purchases end to end: slow on the embedded database
  afterAll(async () => {
    await t.close();
  });

  it('forces a policy on every table that has a tenant_id, as the catalog lists them', async () => {
    expect(tables).toEqual(expect.arrayContaining(SEEDED));
    const unprotected = await t.ownerQuery<{
      name: string;
      enabled: boolean;
      forced: boolean;
      policies: number;
    }>(
      `select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
              (select count(*)::int from pg_policies p
                where p.schemaname = current_schema() and p.tablename = c.relname) as policies
         from pg_class c
        where c.relnamespace = current_schema()::regnamespace and c.relname = any($1)
          and not (c.relrowsecurity and c.relforcerowsecurity
                   and exists (select 1 from pg_policies p
                                where p.schemaname = current_schema() and p.tablename = c.relname))`,
      [tables],
    );
    expect(unprotected).toEqual([]);
  });

  it('runs every statement as numbers_app, no superuser, no BYPASSRLS, owner of nothing, by every path', async () => {
    const roleSql = `select current_user as role, r.rolsuper as superuser, r.rolbypassrls as bypass,
                            (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
                       from pg_roles r where r.rolname = current_user`;
    const expected = [{ role: 'numbers_app', superuser: false, bypass: false, owned: 0 }];
    const connection = t.app.get(MikroORM).em.getConnection();
    expect(await connection.execute(roleSql)).toEqual(expected);
    expect(await t.app.get(EntityManager).fork().execute(roleSql)).toEqual(expected);
    const pool = (await connection.getNativeClient()) as pg.Pool;
    expect((await pool.query(roleSql)).rows).toEqual(expected);
    const client = await pool.connect();
    try {
      expect((await client.query(roleSql)).rows).toEqual(expected);
    } finally {
      client.release();
    }
    // The owner is another role, and the one the test sees rows through.
    const [owner] = await t.ownerQuery<{ role: string }>('select current_user as role');
    expect(owner.role).not.toBe('numbers_app');
  });

  it('shows a raw statement outside any tenant scope no row of any tenant table', async () => {
    for (const table of SEEDED) {
      expect({ table, tenants: await tenantsIn(t.ownerQuery(`select tenant_id from ${table}`)) }).toEqual({
        table,
        tenants: [tenantA, tenantB].sort(),
      });
    }
    for (const table of tables) {
      expect({ table, rows: await appSql(`select * from ${table}`) }).toEqual({ table, rows: [] });
    }
    // Nor can it change them.
    expect(await appSql("update project set name = 'taken' returning id")).toEqual([]);
    expect(await appSql('delete from outbox_event returning id')).toEqual([]);
    expect(await appSql('delete from idempotency_key returning key')).toEqual([]);
  });

  it("shows a raw statement in tenant A's scope only A's rows", async () => {
    const scope = t.app.get(TenantScope);
    const em = t.app.get(EntityManager);
    for (const table of tables) {
      const seen = await scope.run(tenantA, () =>
        em.transactional((tx) => tx.execute<{ tenant_id: string }[]>(`select tenant_id from ${table}`)),
      );
      const [{ n }] = await t.ownerQuery<{ n: number }>(
        `select count(*)::int as n from ${table} where tenant_id = $1`,
        [tenantA],
      );
      expect({ table, count: seen.length, tenants: await tenantsIn(Promise.resolve(seen)) }).toEqual({
        table,
        count: n,
        tenants: n > 0 ? [tenantA] : [],
      });
    }
    // Outside a transaction, the scope's EntityManager wraps the statement in one with the tenant set.
    const projects = await scope.run(tenantB, () =>
      em.execute<{ tenant_id: string }[]>('select tenant_id from project'),
    );
    expect(await tenantsIn(Promise.resolve(projects))).toEqual([tenantB]);
    // A whole read in one round trip, as the list of a project's numbers makes it.
    const read = await readInTenant<{ tenant_id: string; role: string }>(
      em.getConnection(),
      tenantB,
      'select tenant_id, current_user as role from phone_number where tenant_id <> ?',
      [randomUUID()],
    );
    expect(read.length).toBeGreaterThan(0);
    expect(new Set(read.map((row) => `${row.role} ${row.tenant_id}`))).toEqual(
      new Set([`numbers_app ${tenantB}`]),
    );
  });

  it('refuses the owner-only operations to the application role', async () => {
    const refused = [
      'create table intruder (id int)',
      'alter table project disable row level security',
      'alter table project no force row level security',
      'drop policy project_tenant_isolation on project',
      'create policy everything on project using (true)',
      'truncate outbox_event',
      'drop table idempotency_key',
      'select id from tenant',
      'grant select on tenant to numbers_app',
    ];
    for (const sql of refused) {
      await expect(appSql(sql)).rejects.toMatchObject({
        message: expect.stringMatching(/permission denied|must be (the )?owner/),
      });
    }
    const [{ forced }] = await t.ownerQuery<{ forced: boolean }>(
      "select relforcerowsecurity as forced from pg_class where relname = 'project'",
    );
    expect(forced).toBe(true);
  });

  it('keeps the narrow functions narrow: fixed search path, owned by the owner, callable by numbers_app alone', async () => {
    const functions = await t.ownerQuery<{
      name: string;
      config: string[];
      public_can: boolean;
      app_can: boolean;
    }>(
      `select p.proname as name, p.proconfig as config,
              has_function_privilege('public', p.oid, 'execute') as public_can,
              has_function_privilege('numbers_app', p.oid, 'execute') as app_can
         from pg_proc p
        where p.pronamespace = current_schema()::regnamespace and p.prosecdef
        order by 1`,
    );
    expect(functions.map((f) => f.name)).toEqual(
      expect.arrayContaining(['outbox_claim_deliveries', 'resolve_vapi_number', 'tenant_ensure']),
    );
    for (const fn of functions) {
      expect(fn).toEqual({
        name: fn.name,
        config: expect.arrayContaining([
          'search_path=pg_catalog, public, pg_temp',
          'application_name=numbers.cross-tenant',
        ]),
        public_can: false,
        app_can: true,
      });
    }
    // Setting the functions' mark does not admit the application role: it is not the owner.
    const em = t.app.get(EntityManager).fork();
    const rows = await em.transactional(async (tx) => {
      await tx.execute("select set_config('application_name', 'numbers.cross-tenant', true)");
      return tx.execute('select * from project');
    });
    expect(rows).toEqual([]);
  });
});
