import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import pg from 'pg';
import request from 'supertest';
import { FAST_PROVISIONING_ENV, tenantWithProject } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const SECRET = 'webhook-secret-for-tests-0123456789';
const serverUrl = process.env.DATABASE_URL?.trim();

/**
 * The deployment `docker-compose.yml` sets up, on a real server: an owner that is no superuser runs the
 * migrations (`MIGRATION_DATABASE_URL`), the application logs in as `numbers_app` itself (`DATABASE_URL`). Under
 * `FORCE ROW LEVEL SECURITY` the owner's narrow functions must still answer across tenants, and the application
 * cannot leave its role. (The embedded database has a single user: nothing to run there.)
 */
(serverUrl ? describe : describe.skip)(
  'database roles: a non-superuser owner and a login application role',
  () => {
    const suffix = randomBytes(4).toString('hex');
    const ownerRole = `test_owner_${suffix}`;
    const databaseName = `test_roles_${suffix}`;
    const urlAs = (user: string) => {
      const url = new URL(serverUrl!);
      url.username = user;
      url.password = '';
      url.pathname = `/${databaseName}`;
      return url.toString();
    };
    const admin = async <T>(sql: string): Promise<T[]> => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    };
    let t: TestApp;

    beforeAll(async () => {
      // Roles are cluster-wide and other test files run beside this one: tolerate the races.
      await admin(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = 'numbers_app') then create role numbers_app; end if;
      exception when duplicate_object or unique_violation then null;
      end $$`);
      await admin('alter role numbers_app login');
      await admin(`create role ${ownerRole} login nosuperuser nocreaterole nobypassrls`);
      await admin(`grant numbers_app to ${ownerRole}`);
      await admin(`create database ${databaseName} owner ${ownerRole}`);
      const env = {
        ...FAST_PROVISIONING_ENV,
        VAPI_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: urlAs('numbers_app'),
        MIGRATION_DATABASE_URL: urlAs(ownerRole),
      };
      t = await createTestApp({
        env,
        database: { url: env.DATABASE_URL, kind: 'server', drop: async () => undefined },
      });
    });
    afterAll(async () => {
      await t?.close();
      await admin(`drop database if exists ${databaseName} with (force)`);
      await admin(`drop role if exists ${ownerRole}`);
    });

    it('migrates as the owner, which then owns every table and the narrow functions', async () => {
      const client = new pg.Client({ connectionString: urlAs(ownerRole) });
      await client.connect();
      try {
        const { rows } = await client.query(
          `select distinct pg_get_userbyid(relowner) as owner from pg_class
          where relnamespace = 'public'::regnamespace and relkind = 'r'
         union
         select distinct pg_get_userbyid(proowner) from pg_proc
          where pronamespace = 'public'::regnamespace and prosecdef`,
        );
        expect(rows).toEqual([{ owner: ownerRole }]);
      } finally {
        await client.end();
      }
    });

    it('provisions a number and routes its calls: the relay and the lookups span tenants under FORCE', async () => {
      const p = await tenantWithProject(t, 'roles-tenant');
      const bought = await request(t.app.getHttpServer())
        .post('/api/numbers')
        .set('Authorization', p.auth)
        .send({ projectId: p.projectId, agentId: p.agentId })
        .expect(201);
      expect(bought.body.phoneNumber.status).toBe('active');
      await request(t.app.getHttpServer())
        .post('/api/vapi/webhook')
        .set('x-vapi-secret', SECRET)
        .send({ message: { type: 'assistant-request', call: { phoneNumberId: bought.body.vapiNumberId } } })
        .expect(200, { assistantId: p.assistantId });
    });

    it('cannot leave numbers_app: it is the session user itself', async () => {
      const connection = t.app.get(MikroORM).em.getConnection();
      const [seen] = await connection.execute<{ role: string; session: string }[]>(
        'select current_user as role, session_user as session',
      );
      expect(seen).toEqual({ role: 'numbers_app', session: 'numbers_app' });
      await expect(connection.execute(`set role ${ownerRole}`)).rejects.toThrow(/permission denied/);
    });
  },
);
