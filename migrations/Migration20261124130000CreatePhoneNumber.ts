import { Migration } from '@mikro-orm/migrations';

const CURRENT_TENANT = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * The phone numbers of projects, isolated by row-level security like every tenant-owned table. Two partial unique
 * indexes make "never twice" a database rule: one live row per E.164 number, one request in flight per named
 * number. The webhook's lookup of a Vapi number (before any tenant is known) goes through one narrow
 * security-definer function instead of lifting the isolation.
 */
export class Migration20261124130000CreatePhoneNumber extends Migration {
  override name = 'Migration20261124130000CreatePhoneNumber';

  override up(): void {
    this.addSql(`
      create table phone_number (
        id uuid primary key,
        tenant_id uuid not null references tenant (id),
        project_id uuid not null,
        agent_id uuid,
        area_code varchar(3),
        requested_number varchar(16),
        e164 varchar(16),
        twilio_sid varchar(34),
        vapi_number_id varchar(64),
        status varchar(16) not null,
        steps jsonb not null,
        idempotency_key varchar(255),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        activated_at timestamptz,
        foreign key (tenant_id, project_id) references project (tenant_id, id),
        -- a released number keeps its history but lets its agent go
        foreign key (tenant_id, agent_id) references agent (tenant_id, id) on delete set null (agent_id),
        constraint phone_number_status_check
          check (status in ('purchasing', 'registering', 'activating', 'active', 'failed', 'released'))
      );
      create unique index phone_number_live_e164_uq on phone_number (e164)
        where e164 is not null and status <> 'released';
      create unique index phone_number_requested_in_flight_uq on phone_number (requested_number)
        where requested_number is not null and status = 'purchasing';
      create unique index phone_number_idempotency_uq on phone_number (tenant_id, idempotency_key)
        where idempotency_key is not null;
      create index phone_number_project_idx on phone_number (tenant_id, project_id);
      create index phone_number_vapi_idx on phone_number (vapi_number_id) where vapi_number_id is not null;

      alter table phone_number enable row level security;
      create policy phone_number_tenant_isolation on phone_number
        using (${CURRENT_TENANT})
        with check (${CURRENT_TENANT});
      grant select, insert, update, delete on phone_number to numbers_app;
    `);
    // Runs as the table's owner (bypassing row-level security) but answers only this narrow question.
    this.addSql(`
      create function resolve_vapi_number(p_vapi_number_id text, p_e164 text)
        returns table (tenant_id uuid, project_id uuid, agent_id uuid)
        language sql stable security definer set search_path = public as $$
          select n.tenant_id, n.project_id, n.agent_id
            from phone_number n
           where n.status <> 'released'
             and ((p_vapi_number_id is not null and n.vapi_number_id = p_vapi_number_id)
               or (p_vapi_number_id is null and n.e164 = p_e164))
           order by n.created_at desc
           limit 1
        $$;
      revoke all on function resolve_vapi_number(text, text) from public;
      grant execute on function resolve_vapi_number(text, text) to numbers_app;
    `);
    // Whether any tenant holds this E.164 number live: a purchase skips such a candidate rather than buy it
    // again (Twilio may offer it if it was released behind our back).
    this.addSql(`
      create function phone_number_is_held(p_e164 text)
        returns boolean
        language sql stable security definer set search_path = public as $$
          select exists (select 1 from phone_number where e164 = p_e164 and status <> 'released')
        $$;
      revoke all on function phone_number_is_held(text) from public;
      grant execute on function phone_number_is_held(text) to numbers_app;
    `);
  }

  override down(): void {
    this.addSql('drop function phone_number_is_held(text);');
    this.addSql('drop function resolve_vapi_number(text, text);');
    this.addSql('drop table phone_number;');
  }
}
