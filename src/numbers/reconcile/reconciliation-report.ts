/** What a reconciliation repairs (an event and a metric each). */
export const REPAIR_KINDS = [
  'vapi-registered',
  'vapi-updated',
  'degraded',
  'purchase-resumed',
  'abandoned-released',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

/** What a reconciliation reports and leaves as it is. */
export type NoticeKind =
  'unknown-twilio-number' | 'abandoned-too-young' | 'purchase-in-progress' | 'released-still-at-twilio';

/** One finding: the number in question as each side knows it, and what was found. */
export interface ReconciliationFinding<K extends string = RepairKind | NoticeKind> {
  kind: K;
  e164: string | null;
  twilioSid: string | null;
  vapiNumberId: string | null;
  /** Our number, when a row of ours is concerned. */
  numberId: string | null;
  tenantId: string | null;
  detail: string;
}

export interface ReconciliationReport {
  /**
   * `completed`; `skipped` when another reconciliation holds the lease (or, for a scheduled one, none is due yet).
   */
  outcome: 'completed' | 'skipped';
  /** A dry run changes nothing: its `repairs` are what it would have done. */
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** How many numbers each side held as they were read: Twilio's account, Vapi's organization, our active rows. */
  scanned: { twilio: number; vapi: number; active: number };
  repairs: ReconciliationFinding<RepairKind>[];
  notices: ReconciliationFinding<NoticeKind>[];
  /** Repairs that failed (a provider's error, say); the next reconciliation tries them again. */
  failures: (ReconciliationFinding<RepairKind> & { code: string })[];
}

/** The report as `npm run reconcile` prints it: a summary line, then one line per finding. */
export function formatReport(report: ReconciliationReport): string {
  if (report.outcome === 'skipped') {
    return 'Reconciliation skipped: another reconciliation is running (or none is due yet).\n';
  }
  const verb = report.dryRun ? 'would repair' : 'repaired';
  const line = (prefix: string, f: ReconciliationFinding) =>
    `  ${prefix} ${f.kind} ${f.e164 ?? '(no number)'}` +
    (f.numberId ? ` number ${f.numberId} tenant ${f.tenantId}` : '') +
    (f.twilioSid ? ` twilio ${f.twilioSid}` : '') +
    (f.vapiNumberId ? ` vapi ${f.vapiNumberId}` : '') +
    `: ${f.detail}\n`;
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return (
    `Reconciliation${report.dryRun ? ' (dry run, nothing changed)' : ''}: ` +
    `${report.scanned.twilio} Twilio number(s), ${report.scanned.vapi} Vapi number(s), ` +
    `${report.scanned.active} active number(s) of ours; ${report.repairs.length} ${verb}, ` +
    `${report.notices.length} reported, ${report.failures.length} failed, in ${ms} ms\n` +
    report.repairs.map((f) => line(verb, f)).join('') +
    report.notices.map((f) => line('reported', f)).join('') +
    report.failures.map((f) => line(`failed (${f.code})`, f)).join('')
  );
}
