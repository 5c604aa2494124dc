import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { ReconcileConfig } from '../../config/index.js';
import { DomainError } from '../../shared/errors/index.js';
import { TelephonyPort, type OwnedNumber } from '../../telephony/index.js';
import { TenantScope } from '../../tenancy/index.js';
import { CheckVapiRegistrationQuery, VoiceAgentPort, type VapiPhoneNumber } from '../../voice-agent/index.js';
import { PhoneNumber, type NumberKind } from '../phone-number.entity.js';
import { UpdateStep } from '../change-number/update.step.js';
import { RegisterStep, wantedInVapi } from '../provisioning/register.step.js';
import { LEASE_TTL_MS, ReconciliationLease } from './reconciliation-lease.js';
import { ReconciliationMetrics } from './reconciliation.metrics.js';
import type {
  NoticeKind,
  ReconciliationFinding,
  ReconciliationReport,
  RepairKind,
} from './reconciliation-report.js';

/** The mark a purchase writes in Twilio's FriendlyName (`twilioMarkOf`): `ahf:<our number's id>`. */
const MARK = /^ahf:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A row of ours as the cross-tenant functions answer it: ids, tenant, status and the providers' keys only. */
interface NumberRow {
  id: string;
  tenant_id: string;
  status: string;
  kind: NumberKind;
  e164: string | null;
  twilio_sid: string | null;
  vapi_number_id: string | null;
  /** Released, and kept at Twilio for a restore until its grace period ends. */
  in_grace: boolean;
}

/** The run has to stop: the service is shutting down, or another instance took the lease over. */
class ReconciliationInterrupted extends Error {}

/** One run's state: what each side was seen to hold, and the report being written. */
class Pass {
  readonly twilioSeen = new Set<string>();
  readonly vapiSeen = new Set<string>();
  readonly report: ReconciliationReport;
  leaseLost = false;
  /** Releases at Twilio decided while its listing was walked, made once it is over. */
  readonly releases: (() => Promise<void>)[] = [];

  constructor(readonly dryRun: boolean) {
    const now = new Date().toISOString();
    this.report = {
      outcome: 'completed',
      dryRun,
      startedAt: now,
      finishedAt: now,
      scanned: { twilio: 0, vapi: 0, active: 0 },
      repairs: [],
      notices: [],
      failures: [],
    };
  }
}

type Subject = Omit<ReconciliationFinding, 'kind' | 'detail'>;

/**
 * The reconciliation of the three places a number lives: Twilio (what our account owns), Vapi (the organization's
 * numbers) and our records. It repairs what it safely can and reports the rest, in three passes, each a page at a
 * time (never a whole listing in memory: only the ids seen, to tell what is missing):
 *
 *  1. Twilio's numbers, with the rows they name (by SID, or by the mark `ahf:<number id>` a purchase writes):
 *     - held by a row of ours: fine (one released and still at Twilio is reported: a grace period, or a release
 *       that did not reach Twilio);
 *     - no mark: a number this service never knew; reported, never touched;
 *     - a mark whose number is still purchasing: reported (its purchase adopts it);
 *     - a mark whose purchase failed: `purchase-resumed` (the purchase runs again, and adopts it);
 *     - a mark that no row holds (no row, refused, or a row holding another number): `abandoned-released` once
 *       Twilio's purchase date is older than `RECONCILE_RELEASE_ABANDONED_AFTER_MINUTES`, reported until then.
 *  2. Vapi's numbers, with the active rows they belong to: one that does not hold our settings (`settingsDrift`: the
 *     project's tag, the assistant, the webhook's URL and secret header, the fallback) is set back with the change
 *     flow's push, one PATCH and its read-back (`vapi-updated`).
 *  3. Our active numbers (every tenant's): one Twilio did not list and does not have is `degraded`; one Vapi did
 *     not list and does not have is registered again (`vapi-registered`). Each absence is confirmed with one
 *     request before it is acted on, since a number may have been bought or registered after its listing.
 *
 * Rows are found across tenants only through the narrow functions of the reconciliation migration; every repair
 * runs in the number's tenant scope and records its event (through the outbox) and a metric. A provider failure
 * while listing ends the run (nothing is judged missing from a listing that did not finish); one while repairing
 * is reported in `failures`, and the next run tries again. One run at a time across instances
 * (`ReconciliationLease`); a dry run takes no lease and changes nothing.
 */
@Injectable()
export class NumberReconciliation implements OnModuleDestroy {
  private readonly logger = new Logger('Reconciliation');
  private stopping = false;
  private running?: Promise<unknown>;

  constructor(
    private readonly telephony: TelephonyPort,
    private readonly voiceAgent: VoiceAgentPort,
    private readonly registerStep: RegisterStep,
    private readonly updateStep: UpdateStep,
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
    private readonly em: EntityManager,
    private readonly lease: ReconciliationLease,
    private readonly metrics: ReconciliationMetrics,
    private readonly config: ReconcileConfig,
  ) {}

  /**
   * One reconciliation; `skipped` when another holds the lease, or, for a `scheduled` one, when the next run is not
   * due yet. Throws when a provider's listing cannot be read.
   */
  async run(options: { dryRun?: boolean; scheduled?: boolean } = {}): Promise<ReconciliationReport> {
    const pass = new Pass(options.dryRun === true);
    if (!pass.dryRun && !(await this.lease.take({ scheduled: options.scheduled === true }))) {
      this.metrics.ran('skipped');
      return { ...pass.report, outcome: 'skipped' };
    }
    // Renewed while the run lasts, however long a page's repairs take; lost, the run stops at its next page.
    const keepAlive = pass.dryRun
      ? undefined
      : setInterval(() => {
          void this.lease.renew().then(
            (held) => (pass.leaseLost ||= !held),
            () => undefined, // the database's trouble: the next renewal, or the run's own statements, will say
          );
        }, LEASE_TTL_MS / 4);
    const run = this.reconcile(pass);
    this.running = run.catch(() => undefined);
    try {
      await run;
      this.metrics.ran('completed');
    } catch (error) {
      this.metrics.ran('failed');
      throw error;
    } finally {
      clearInterval(keepAlive);
      this.running = undefined;
      if (!pass.dryRun) await this.lease.release(this.config.intervalMinutes);
    }
    pass.report.finishedAt = new Date().toISOString();
    const { repairs, notices, failures, scanned } = pass.report;
    this.logger.log(
      {
        scanned,
        repairs: repairs.length,
        notices: notices.length,
        failures: failures.length,
        dryRun: pass.dryRun,
      },
      'reconciliation done',
    );
    return pass.report;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async reconcile(pass: Pass): Promise<void> {
    for await (const page of this.telephony.pages({ pageSize: this.config.pageSize })) {
      await this.checkpoint(pass);
      pass.report.scanned.twilio += page.length;
      await this.twilioPage(pass, page);
    }
    for (const release of pass.releases.splice(0)) await release();
    for await (const page of this.voiceAgent.phoneNumberPages({ pageSize: this.config.pageSize })) {
      await this.checkpoint(pass);
      pass.report.scanned.vapi += page.length;
      await this.vapiPage(pass, page);
    }
    for (let after: string | null = null; ;) {
      const rows: NumberRow[] = await this.crossTenant(
        `select *, 'active' as status, 'purchased' as kind, false as in_grace from reconcile_active_numbers(?, ?)`,
        [after, this.config.pageSize],
      );
      if (rows.length === 0) return;
      await this.checkpoint(pass);
      pass.report.scanned.active += rows.length;
      for (const row of rows) await this.activeNumber(pass, row);
      after = rows.at(-1)!.id;
    }
  }

  /** 1. A page of Twilio's numbers. */
  private async twilioPage(pass: Pass, page: OwnedNumber[]): Promise<void> {
    const marks = new Map<string, string>();
    for (const owned of page) {
      pass.twilioSeen.add(owned.sid);
      const mark = MARK.exec(owned.friendlyName);
      if (mark) marks.set(owned.sid, mark[1]!.toLowerCase());
    }
    const rows = await this.matching({ ids: [...marks.values()], twilioSids: page.map((o) => o.sid) });
    for (const owned of page) {
      const subject: Subject = {
        e164: owned.phoneNumber,
        twilioSid: owned.sid,
        vapiNumberId: null,
        numberId: null,
        tenantId: null,
      };
      const holder = rows.find((row) => row.twilio_sid === owned.sid);
      if (holder) {
        // Held for a restore during its grace period: the release flow lets Twilio go when it ends.
        if (holder.status === 'released' && !holder.in_grace)
          this.notice(
            pass,
            'released-still-at-twilio',
            rowSubject(holder, subject),
            'our number is released',
          );
        continue;
      }
      const numberId = marks.get(owned.sid);
      if (!numberId) {
        this.notice(
          pass,
          'unknown-twilio-number',
          subject,
          `no mark of ours (friendly name "${owned.friendlyName}"); left as it is`,
        );
        continue;
      }
      await this.markedNumber(pass, owned, subject, rows.find((row) => row.id === numberId) ?? null);
    }
  }

  /** A Twilio number under our mark that no row of ours holds. */
  private async markedNumber(
    pass: Pass,
    owned: OwnedNumber,
    subject: Subject,
    row: NumberRow | null,
  ): Promise<void> {
    // Never ours to release: an imported number belongs to the customer (it is not on our account anyway).
    if (row && row.kind !== 'purchased') return;
    if (row?.status === 'purchasing') {
      this.notice(pass, 'purchase-in-progress', rowSubject(row, subject), 'its purchase will adopt it');
      return;
    }
    if (row?.status === 'released') {
      this.notice(pass, 'released-still-at-twilio', rowSubject(row, subject), 'our number is released');
      return;
    }
    if (row?.status === 'failed' && row.twilio_sid === null) {
      await this.repair(
        pass,
        'purchase-resumed',
        rowSubject(row, subject),
        'its failed purchase runs again',
        () =>
          this.inTenant(row, (tx) =>
            tx.findOne(PhoneNumber, row.id).then((number) => number?.resumePurchase(owned.sid)),
          ),
      );
      return;
    }
    const ageMinutes = owned.dateCreated ? (Date.now() - owned.dateCreated.getTime()) / 60_000 : -1;
    const minimum = this.config.releaseAbandonedAfterMinutes;
    const about = row ? rowSubject(row, subject) : subject;
    const holds = row
      ? `our number ${row.id} is ${row.status} and does not hold it`
      : 'no number of ours holds it';
    if (ageMinutes < minimum) {
      this.notice(
        pass,
        'abandoned-too-young',
        about,
        `${holds}; bought ${owned.dateCreated?.toISOString() ?? 'at an unknown time'}, released once ` +
          `${minimum} minute(s) old`,
      );
      return;
    }
    // Released once the listing is over: a number gone from under Twilio's page token would shift the next page.
    pass.releases.push(() =>
      this.repair(
        pass,
        'abandoned-released',
        about,
        `${holds}; bought ${owned.dateCreated!.toISOString()}`,
        async () => {
          await this.telephony.release(owned.sid);
          if (row)
            await this.inTenant(row, (tx) =>
              tx
                .findOne(PhoneNumber, row.id)
                .then((n) => n?.abandonedNumberReleased(owned.sid, owned.phoneNumber)),
            );
        },
      ),
    );
  }

  /** 2. A page of Vapi's numbers: those of our active numbers must hold what we registered. */
  private async vapiPage(pass: Pass, page: VapiPhoneNumber[]): Promise<void> {
    for (const vapiNumber of page) pass.vapiSeen.add(vapiNumber.id);
    const rows = await this.matching({ vapiIds: page.map((v) => v.id) });
    for (const row of rows) {
      // An imported number's Vapi registration holds the customer's connection, which we keep only until it is live.
      if (row.status !== 'active' || row.kind !== 'purchased') continue;
      await this.checkVapi(
        pass,
        row,
        page.find((v) => v.id === row.vapi_number_id)!,
      );
    }
  }

  /** 3. One active number of ours: Twilio and Vapi must still have it. */
  private async activeNumber(pass: Pass, row: NumberRow): Promise<void> {
    const subject = rowSubject(row);
    let checking: RepairKind = 'degraded';
    try {
      if (
        row.twilio_sid &&
        !pass.twilioSeen.has(row.twilio_sid) &&
        !(await this.telephony.fetch(row.twilio_sid))
      ) {
        await this.repair(pass, 'degraded', subject, `Twilio no longer has ${row.twilio_sid}`, () =>
          this.inTenant(row, async (tx) => {
            const number = await tx.findOne(PhoneNumber, row.id);
            if (number?.status === 'active' && number.twilioSid === row.twilio_sid)
              number.degraded(`Twilio no longer has ${row.twilio_sid}`);
          }),
        );
        return;
      }
      if (row.vapi_number_id && pass.vapiSeen.has(row.vapi_number_id)) return;
      checking = 'vapi-registered';
      const read = row.vapi_number_id ? await this.voiceAgent.getPhoneNumber(row.vapi_number_id) : null;
      await this.checkVapi(pass, row, read);
    } catch (error) {
      if (error instanceof ReconciliationInterrupted) throw error;
      this.failed(pass, checking, subject, 'could not be checked', error);
    }
  }

  /**
   * Vapi must hold the number with its agent's assistant, our webhook and its project's fallback. A Vapi number that
   * holds other settings is set back where it is, with the change flow's push (`UpdateStep`: one PATCH, then the
   * read-back); one Vapi lost is registered again (the provisioning's register step).
   */
  private async checkVapi(pass: Pass, row: NumberRow, read: VapiPhoneNumber | null): Promise<void> {
    const kind: RepairKind = read ? 'vapi-updated' : 'vapi-registered';
    const subject = rowSubject(row);
    let number: PhoneNumber | null;
    let problems: string[];
    try {
      [number, problems] = await this.inTenant(row, async (tx): Promise<[PhoneNumber | null, string[]]> => {
        const found = await tx.findOne(PhoneNumber, row.id);
        // A change on its way to Vapi (another agent, a new fallback) is the lifecycle's to push and read back.
        if (found?.status !== 'active' || found.pendingChange) return [null, []];
        if (!read) return [found, [`Vapi no longer has ${row.vapi_number_id ?? 'the number'}`]];
        const expected = await wantedInVapi(this.queries, found);
        return [found, await this.queries.execute(new CheckVapiRegistrationQuery(read.id, expected, read))];
      });
    } catch (error) {
      this.failed(pass, kind, subject, 'could not be checked', error);
      return;
    }
    if (!number || problems.length === 0) return;
    const drifted = number;
    await this.repair(pass, kind, subject, problems.join('; '), async () => {
      const vapiNumberId = await this.scope.run(row.tenant_id, async () =>
        read
          ? (await this.updateStep.push(drifted)).vapiNumberId
          : this.registerStep.register(drifted, { previousOutcomeUnknown: true }),
      );
      await this.inTenant(row, async (tx) => {
        const current = await tx.findOne(PhoneNumber, row.id);
        if (current?.status === 'active') current.repairedInVapi(kind, vapiNumberId, problems);
      });
    });
  }

  /** Records a repair, done unless this is a dry run; a failed one is reported, and tried again next run. */
  private async repair(
    pass: Pass,
    kind: RepairKind,
    subject: Subject,
    detail: string,
    work: () => Promise<unknown>,
  ): Promise<void> {
    const finding = { kind, ...subject, detail };
    if (!pass.dryRun) {
      try {
        await work();
      } catch (error) {
        this.failed(pass, kind, subject, detail, error);
        return;
      }
      this.metrics.repaired(kind);
      this.logger.log(finding, `repaired: ${kind}`);
    }
    pass.report.repairs.push(finding);
  }

  private notice(pass: Pass, kind: NoticeKind, subject: Subject, detail: string): void {
    pass.report.notices.push({ kind, ...subject, detail });
  }

  private failed(pass: Pass, kind: RepairKind, subject: Subject, detail: string, error: unknown): void {
    const code = error instanceof DomainError ? error.code : 'INTERNAL.ERROR';
    this.metrics.repairFailed(kind);
    this.logger.warn(
      {
        kind,
        ...subject,
        code,
        ...(error instanceof DomainError ? { diagnostics: error.diagnostics } : { err: error }),
      },
      `reconciliation could not repair: ${kind}`,
    );
    pass.report.failures.push({ kind, ...subject, detail, code });
  }

  /** Between pages: stop when the service stops, or when the lease was lost to another instance. */
  private async checkpoint(pass: Pass): Promise<void> {
    if (this.stopping) throw new ReconciliationInterrupted('the service is stopping');
    if (!pass.dryRun && (pass.leaseLost || !(await this.lease.renew())))
      throw new ReconciliationInterrupted('the reconciliation lease was lost to another instance');
  }

  /** A transaction in the number's tenant scope; the events its changes record leave through the outbox. */
  private inTenant<T>(row: NumberRow, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.scope.run(row.tenant_id, () => this.em.transactional((tx) => work(tx)));
  }

  /** The rows of every tenant with one of these ids, Twilio SIDs or Vapi ids. */
  private matching(keys: {
    ids?: string[];
    twilioSids?: string[];
    vapiIds?: string[];
  }): Promise<NumberRow[]> {
    // Ids and SIDs are letters, digits and dashes; anything else names no row of ours (and would break the literal).
    const array = (values: string[] = []) => `{${values.filter((v) => /^[\w-]+$/.test(v)).join(',')}}`;
    return this.crossTenant('select * from reconcile_numbers_matching(?::uuid[], ?::text[], ?::text[])', [
      array(keys.ids),
      array(keys.twilioSids),
      array(keys.vapiIds),
    ]);
  }

  private crossTenant(sql: string, params: unknown[]): Promise<NumberRow[]> {
    return this.em.fork().getConnection().execute<NumberRow[]>(sql, params);
  }
}

function rowSubject(row: NumberRow, provider?: Subject): Subject {
  return {
    e164: row.e164 ?? provider?.e164 ?? null,
    twilioSid: provider?.twilioSid ?? row.twilio_sid,
    vapiNumberId: row.vapi_number_id,
    numberId: row.id,
    tenantId: row.tenant_id,
  };
}
