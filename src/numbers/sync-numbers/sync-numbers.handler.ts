import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus, CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { HttpConfig, NumbersConfig, TwilioConfig, VapiConfig } from '../../config/index.js';
import { TelephonyPort } from '../../telephony/index.js';
import { E164 } from '../../shared/validation/e164.js';
import { GetProjectQuery } from '../../tenancy/index.js';
import {
  FindAgentByAssistantQuery,
  settingsDrift,
  UpdateVapiNumberCommand,
  VoiceAgentPort,
  type VapiPhoneNumber,
} from '../../voice-agent/index.js';
import { isHeldByAnyone } from '../held-number.js';
import { PhoneNumber, vapiNameOf, type LinkedNumber } from '../phone-number.entity.js';
import { wantedInVapi } from '../provisioning/register.step.js';
import { SyncNumbersCommand } from './sync-numbers.command.js';
import type { SkipReason, SyncNumbersResponse } from './sync-numbers.response.js';

/** Vapi's page for the tag search; the organization is paged through, never loaded whole. */
const PAGE_LIMIT = 100;

/** What linking a Vapi number found out: the number to link, or why it is left alone. */
type Linkable = { linked: LinkedNumber; agentId: string } | { skip: SkipReason };

/**
 * Sync from Vapi, for one project of the current tenant, in one pass over the Vapi numbers that carry the project's
 * tag (`ahf:<project id without dashes>`, the name registration writes: `vapiNameOf`), found with Vapi's search a
 * page at a time rather than by listing the organization:
 *
 * - **Link** a tagged number that no project holds. The tag is the only proof accepted: the Vapi organization is
 *   shared by every tenant, so a number without it is never linked, and one held by any project (of any tenant,
 *   asked through the narrow `phone_number_is_held`) is skipped. Its kind comes from how Vapi reaches it (our Twilio
 *   account, which must still own it: `purchased`; a customer's Twilio account: `imported-twilio`; another
 *   `byo-sip-trunk` credential: `imported-sip`), its agent is the project's agent on its assistant. Its settings are
 *   repaired, then it is recorded live (`NumberActivated`, with its kind, so billing starts).
 * - **Refresh** the project's live numbers: assistant, server URL and secret, fallback and tag as
 *   `RegisterWithVapi` would set them now; what differs is set again (one PATCH) and reported. A live number whose
 *   Vapi name lost the tag is read by its id; one Vapi no longer has is reported (`missing-in-vapi`) for the drift
 *   repair to re-register. A number with a change or release on its way is left to that flow.
 *
 * Every repair is idempotent: running the sync again finds nothing to do.
 */
@CommandHandler(SyncNumbersCommand)
export class SyncNumbersHandler implements ICommandHandler<SyncNumbersCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    private readonly voiceAgent: VoiceAgentPort,
    private readonly telephony: TelephonyPort,
    private readonly http: HttpConfig,
    private readonly vapi: VapiConfig,
    private readonly twilio: TwilioConfig,
    private readonly numbers: NumbersConfig,
  ) {}

  async execute({ tenantId, projectId }: SyncNumbersCommand): Promise<SyncNumbersResponse> {
    await this.queries.execute(new GetProjectQuery(projectId));
    const report: SyncNumbersResponse = { imported: [], updated: [], skipped: [] };
    const tag = vapiNameOf(projectId);
    const mine = await this.em.find(PhoneNumber, { projectId, status: { $ne: 'released' } });
    const live = mine.filter((n) => n.status === 'active' && n.vapiNumberId !== null && !n.pendingChange);
    const refreshed = new Set<string>();

    for (let page = 1; ; page++) {
      const { items, hasNextPage } = await this.voiceAgent.searchPhoneNumbers(tag, {
        page,
        limit: PAGE_LIMIT,
      });
      // Vapi's search matches in part: only the exact tag proves the project.
      for (const found of items.filter((p) => p.name === tag)) {
        const ours = mine.find((n) => n.vapiNumberId === found.id || n.e164 === e164Of(found));
        if (ours && live.includes(ours)) {
          refreshed.add(ours.id);
          await this.refresh(ours, found, report);
        } else if (ours) {
          report.skipped.push({ number: ours.e164 ?? e164Of(found) ?? found.id, reason: 'in-progress' });
        } else {
          await this.link(tenantId, projectId, found, report);
        }
      }
      if (!hasNextPage) break;
    }

    for (const number of live.filter((n) => !refreshed.has(n.id))) {
      const found = await this.voiceAgent.getPhoneNumber(number.vapiNumberId!);
      if (found) await this.refresh(number, found, report);
      else report.skipped.push({ number: number.e164!, reason: 'missing-in-vapi' });
    }
    return report;
  }

  /** Sets again what differs of our settings in Vapi. */
  private async refresh(
    number: PhoneNumber,
    found: VapiPhoneNumber,
    report: SyncNumbersResponse,
  ): Promise<void> {
    const wanted = await wantedInVapi(this.queries, number);
    const repaired = settingsDrift(this.http, this.vapi, found, wanted);
    if (repaired.length === 0) return;
    await this.commands.execute(new UpdateVapiNumberCommand(found.id, wanted));
    report.updated.push({ number: number.e164!, numberId: number.id, repaired });
  }

  private async link(
    tenantId: string,
    projectId: string,
    found: VapiPhoneNumber,
    report: SyncNumbersResponse,
  ): Promise<void> {
    const e164 = e164Of(found);
    const linkable = e164
      ? await this.linkable(projectId, found, e164)
      : { skip: 'unsupported-provider' as const };
    if ('skip' in linkable) {
      report.skipped.push({ number: e164 ?? found.id, reason: linkable.skip });
      return;
    }
    const wanted = await wantedInVapi(this.queries, { projectId, agentId: linkable.agentId });
    if (settingsDrift(this.http, this.vapi, found, wanted).length > 0)
      await this.commands.execute(new UpdateVapiNumberCommand(found.id, wanted));
    try {
      const number = await this.em.transactional(async (tx) => {
        const linked = PhoneNumber.linked(
          { tenantId, projectId, agentId: linkable.agentId },
          linkable.linked,
          this.numbers.monthlyCostCents,
        );
        tx.persist(linked);
        return linked;
      });
      report.imported.push({ number: number.e164!, numberId: number.id });
    } catch (error) {
      // Another project took it (or another sync linked it) since it was checked.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      report.skipped.push({ number: e164!, reason: 'held-by-another-project' });
    }
  }

  /** Whether a tagged Vapi number may be linked to the project, and as what. */
  private async linkable(projectId: string, found: VapiPhoneNumber, e164: string): Promise<Linkable> {
    if (await isHeldByAnyone(this.em, e164)) return { skip: 'held-by-another-project' };
    const agent = found.assistantId
      ? await this.queries.execute(new FindAgentByAssistantQuery(projectId, found.assistantId))
      : null;
    if (!agent) return { skip: 'no-agent-for-assistant' };
    const base = { e164, vapiNumberId: found.id, customerTwilioAccountSid: null, sipCredentialId: null };
    const ours =
      (found.provider === 'twilio' && found.twilioAccountSid === this.twilio.accountSid) ||
      (found.provider === 'byo-phone-number' && found.credentialId === this.vapi.byoCredentialId);
    if (ours) {
      const owned = await this.telephony.findOwnedByNumber(e164);
      if (!owned) return { skip: 'not-in-our-twilio-account' };
      return { agentId: agent.id, linked: { ...base, kind: 'purchased', twilioSid: owned.sid } };
    }
    if (found.provider === 'twilio' && found.twilioAccountSid)
      return {
        agentId: agent.id,
        linked: {
          ...base,
          kind: 'imported-twilio',
          twilioSid: null,
          customerTwilioAccountSid: found.twilioAccountSid,
        },
      };
    if (found.provider === 'byo-phone-number' && found.credentialId)
      return {
        agentId: agent.id,
        linked: { ...base, kind: 'imported-sip', twilioSid: null, sipCredentialId: found.credentialId },
      };
    return { skip: 'unsupported-provider' };
  }
}

/** The Vapi number's E.164 number (Vapi may keep it without its `+`); null for one without a number. */
function e164Of(found: VapiPhoneNumber): string | null {
  if (!found.number) return null;
  const e164 = found.number.startsWith('+') ? found.number : `+${found.number}`;
  return E164.test(e164) ? e164 : null;
}
