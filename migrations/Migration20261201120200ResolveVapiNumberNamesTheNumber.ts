import { Migration } from '@mikro-orm/migrations';

/**
 * The webhook's lookup of a Vapi number also answers which number it is (our id and its E.164), so that the call
 * events carry it and their consumers (billing, analytics) need nothing but the event.
 */
export class Migration20261201120200ResolveVapiNumberNamesTheNumber extends Migration {
  override name = 'Migration20261201120200ResolveVapiNumberNamesTheNumber';

  override up(): void {
    this.addSql(`
      drop function resolve_vapi_number(text, text);
      create function resolve_vapi_number(p_vapi_number_id text, p_e164 text)
        returns table (tenant_id uuid, project_id uuid, agent_id uuid, number_id uuid, e164 varchar)
        language sql stable security definer set search_path = public as $$
          select n.tenant_id, n.project_id, n.agent_id, n.id, n.e164
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
  }

  override down(): void {
    this.addSql(`
      drop function resolve_vapi_number(text, text);
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
  }
}
