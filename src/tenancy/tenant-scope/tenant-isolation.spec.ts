import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { TenantDirectory } from '../auth/tenant-directory.js';
import { Project } from '../projects/project.entity.js';
import { TenantScope, TenantScopeMissingError } from './tenant-scope.js';

describe('tenant isolation in the database', () => {
  let t: TestApp;
  let scope: TenantScope;
  let em: EntityManager;
  let tenantA: string;
  let tenantB: string;
  let db: pg.Client;

  /** Raw SQL as the service's role, with no ORM (and so no ORM filter) in the way. */
  async function asServiceRole<T>(
    tenantId: string | null,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    await db.query('begin');
    try {
      await db.query('set local role numbers_app');
      if (tenantId) await db.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
      const { rows } = await db.query(sql, params);
      await db.query('commit');
      return rows as T[];
    } catch (error) {
      await db.query('rollback');
      throw error;
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    scope = t.app.get(TenantScope);
    em = t.app.get(EntityManager);
    const directory = t.app.get(TenantDirectory);
    [tenantA, tenantB] = [await directory.ensure('tenant-a'), await directory.ensure('tenant-b')];
    for (const [tenantId, name] of [
      [tenantA, 'A1'],
      [tenantA, 'A2'],
      [tenantB, 'B1'],
    ]) {
      await scope.run(tenantId, () => em.persist(new Project({ tenantId, name })).flush());
    }
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it("shows the service role only its tenant's rows, and none without a tenant", async () => {
    const seenByA = await asServiceRole<{ name: string }>(tenantA, 'select name from project order by name');
    expect(seenByA.map((r) => r.name)).toEqual(['A1', 'A2']);
    const seenByB = await asServiceRole<{ name: string }>(tenantB, 'select name from project');
    expect(seenByB.map((r) => r.name)).toEqual(['B1']);
    expect(await asServiceRole(null, 'select * from project')).toEqual([]);
    // The owner sees all three, so the rows are there: it is the policy that hides them.
    const { rows } = await db.query('select count(*)::int as n from project');
    expect(rows[0].n).toBe(3);
  });

  it("lets the service role neither change nor write another tenant's rows", async () => {
    const updated = await asServiceRole(
      tenantB,
      "update project set name = 'hijacked' where tenant_id = $1 returning id",
      [tenantA],
    );
    expect(updated).toEqual([]);
    const deleted = await asServiceRole(tenantB, 'delete from project where tenant_id = $1 returning id', [
      tenantA,
    ]);
    expect(deleted).toEqual([]);
    await expect(
      asServiceRole(
        tenantB,
        "insert into project (id, tenant_id, name) values (gen_random_uuid(), $1, 'planted')",
        [tenantA],
      ),
    ).rejects.toThrow(/row-level security/);
    const { rows } = await db.query('select name from project where tenant_id = $1 order by name', [tenantA]);
    expect(rows.map((r) => r.name)).toEqual(['A1', 'A2']);
  });

  it("runs the ORM's transactions as numbers_app with the scope's tenant set", async () => {
    const seen = await scope.run(tenantA, () =>
      em.execute<{ role: string; tenant: string }[]>(
        "select current_user as role, current_setting('app.tenant_id') as tenant",
      ),
    );
    expect(seen).toEqual([{ role: 'numbers_app', tenant: tenantA }]);
    const names = await scope.run(tenantB, async () => (await em.find(Project, {})).map((p) => p.name));
    expect(names).toEqual(['B1']);
  });

  it('fails closed outside a tenant scope: the ORM filter throws and the scope has no tenant', async () => {
    await expect(em.fork().find(Project, {})).rejects.toThrow("No arguments provided for filter 'tenant'");
    expect(() => scope.tenantId).toThrow(TenantScopeMissingError);
  });

  it('keeps nested scopes apart', async () => {
    const seen = await scope.run(tenantA, async () => {
      const inner = await scope.run(tenantB, async () => scope.tenantId);
      return [scope.tenantId, inner, (await em.find(Project, {})).length];
    });
    expect(seen).toEqual([tenantA, tenantB, 2]);
  });
});
