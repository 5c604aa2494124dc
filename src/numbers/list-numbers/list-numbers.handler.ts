import { EntityManager } from '@mikro-orm/postgresql';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decodeCursor, toPage, type Keyset, type Page } from '../../shared/pagination/keyset-page.js';
import { DEFAULT_PAGE_SIZE } from '../../shared/pagination/page-query.dto.js';
import { isoTimestamp, readInTenant } from '../../shared/tenant-scope/tenant-transaction.js';
import { GetProjectQuery, TenantScope } from '../../tenancy/index.js';
import type { NumberKind, NumberStatus, NumberSteps, PendingChange } from '../phone-number.entity.js';
import { PhoneNumberResponse, type PhoneNumberFields } from '../phone-number.response.js';
import { ListNumbersQuery } from './list-numbers.query.js';

/** A timestamp of the number as `Date.prototype.toISOString` writes it. */
const iso = (column: string) => isoTimestamp(`n.${column}`, column);

/** The columns of a number's answer, nothing else (no refusal, no sealed token); its timestamps as ISO text. */
const COLUMNS = [
  ...[
    'id',
    'e164',
    'project_id',
    'agent_id',
    'kind',
    'status',
    'area_code',
    'requested_number',
    'twilio_sid',
    'vapi_number_id',
    'steps',
    'pending_change',
  ].map((column) => `n.${column}`),
  ...['created_at', 'activated_at', 'release_requested_at', 'released_at', 'grace_until'].map(iso),
].join(', ');

interface NumberRow {
  id: string;
  e164: string | null;
  project_id: string;
  agent_id: string;
  kind: NumberKind;
  status: NumberStatus;
  area_code: string | null;
  requested_number: string | null;
  twilio_sid: string | null;
  vapi_number_id: string | null;
  steps: NumberSteps;
  pending_change: PendingChange | null;
  created_at: string;
  activated_at: string | null;
  release_requested_at: string | null;
  released_at: string | null;
  grace_until: string | null;
}

const date = (value: string | null) => (value === null ? null : new Date(value));

function fieldsOf(row: NumberRow): PhoneNumberFields {
  return {
    id: row.id,
    e164: row.e164,
    projectId: row.project_id,
    agentId: row.agent_id,
    kind: row.kind,
    status: row.status,
    areaCode: row.area_code,
    requestedNumber: row.requested_number,
    twilioSid: row.twilio_sid,
    vapiNumberId: row.vapi_number_id,
    steps: row.steps,
    pendingChange: row.pending_change,
    createdAt: new Date(row.created_at),
    activatedAt: date(row.activated_at),
    releaseRequestedAt: date(row.release_requested_at),
    releasedAt: date(row.released_at),
    graceUntil: date(row.grace_until),
  };
}

/**
 * The list is the service's busiest read, so it reads rows and maps them straight to the answer: one statement in
 * the tenant's transaction, the whole transaction in one round trip (`readInTenant`: under the tenant's row-level
 * security, and its tenant named in the statement as the ORM's filter would), no entity built, no identity map,
 * nothing to flush at the commit. The answer is `PhoneNumberResponse.of`,
 * as for one number. The project is checked only when the page is empty: a number of the project in the tenant's
 * rows means the tenant has the project (the number's foreign key is `(tenant_id, project_id)`).
 */
@QueryHandler(ListNumbersQuery)
export class ListNumbersHandler implements IQueryHandler<ListNumbersQuery> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
  ) {}

  async execute({ projectId, page }: ListNumbersQuery): Promise<Page<PhoneNumberResponse>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    let after: Keyset | undefined;
    try {
      after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    } catch (error) {
      // Another tenant's project, or none, is 404 whatever the cursor says.
      await this.queries.execute(new GetProjectQuery(projectId));
      throw error;
    }
    const tenantId = this.scope.tenantId;
    // A refused purchase holds nothing: it is no number of the project's.
    const keyset = after ? 'and (n.created_at < ? or (n.created_at = ? and n.id < ?))' : '';
    const params: unknown[] = [tenantId, projectId];
    if (after) params.push(after.createdAt.toISOString(), after.createdAt.toISOString(), after.id);
    params.push(limit + 1);
    const rows = await readInTenant<NumberRow>(
      this.em.getConnection(),
      tenantId,
      // The columns' names in the order are the table's (the answer's timestamps are text of the same names).
      `select ${COLUMNS} from phone_number n
        where n.tenant_id = ? and n.project_id = ? and n.status <> 'refused' ${keyset}
        order by n.created_at desc, n.id desc
        limit ?`,
      params,
    );
    if (rows.length === 0) await this.queries.execute(new GetProjectQuery(projectId));
    return toPage(
      rows,
      limit,
      (row) => ({ createdAt: new Date(row.created_at), id: row.id }),
      (row) => PhoneNumberResponse.of(fieldsOf(row)),
    );
  }
}
