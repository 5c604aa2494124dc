import { Migration } from '@mikro-orm/migrations';

/** The condition of every tenant-isolation policy: the row belongs to the transaction's tenant. */
export const CURRENT_TENANT = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;

function isolate(table: string): string {
  return `
    alter table ${table} enable row level security;
    create policy ${table}_tenant_isolation on ${table}
      using (${CURRENT_TENANT})
      with check (${CURRENT_TENANT});
  `;
}

/**
 * Projects, agents and the purchase log, each isolated by row-level security, and the role `numbers_app` the
 * service switches to (`set local role`) in every transaction: it owns no table, so the policies apply to it.
 */
export class Migration20261124110000Tenancy extends Migration {
  override name = 'Migration20261124110000Tenancy';

  override up(): void {
    // Roles are cluster-wide and test databases are created in parallel on one server: tolerate the race.
    // An owner that may not create roles finds it made beforehand (see the README's "Database roles").
    this.addSql(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = 'numbers_app') then
          create role numbers_app nologin;
        end if;
      exception when duplicate_object or unique_violation then null;
      end $$;
    `);
    // The connecting user must be allowed to `set role numbers_app` (a superuser already is).
    this.addSql(`
      do $$ begin
        if not pg_has_role(current_user, 'numbers_app', 'member') then
          execute format('grant numbers_app to %I', current_user);
        end if;
      end $$;
    `);

    this.addSql(`
      create table project (
        id uuid primary key,
        tenant_id uuid not null references tenant (id),
        name varchar(100) not null,
        fallback_number varchar(16),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (tenant_id, id)
      );
    `);
    this.addSql(`
      create table agent (
        id uuid primary key,
        tenant_id uuid not null references tenant (id),
        project_id uuid not null,
        name varchar(100) not null,
        vapi_assistant_id varchar(64) not null,
        created_at timestamptz not null default now(),
        unique (tenant_id, id),
        foreign key (tenant_id, project_id) references project (tenant_id, id)
      );
      create index agent_project_idx on agent (tenant_id, project_id);
    `);
    this.addSql(`
      create table tenant_purchase (
        id uuid primary key,
        tenant_id uuid not null references tenant (id),
        idempotency_key varchar(255),
        created_at timestamptz not null default now(),
        unique (tenant_id, idempotency_key)
      );
      create index tenant_purchase_window_idx on tenant_purchase (tenant_id, created_at);
    `);
    for (const table of ['project', 'agent', 'tenant_purchase']) this.addSql(isolate(table));

    this.addSql(`
      grant usage on schema public to numbers_app;
      grant select, insert on tenant to numbers_app;
      grant select, insert, update, delete on project, agent, tenant_purchase to numbers_app;
      alter default privileges in schema public grant select, insert, update, delete on tables to numbers_app;
      alter default privileges in schema public grant usage, select on sequences to numbers_app;
    `);
  }

  override down(): void {
    this.addSql(`
      alter default privileges in schema public revoke select, insert, update, delete on tables from numbers_app;
      alter default privileges in schema public revoke usage, select on sequences from numbers_app;
      drop table tenant_purchase;
      drop table agent;
      drop table project;
      revoke all on tenant from numbers_app;
      revoke usage on schema public from numbers_app;
    `);
  }
}
