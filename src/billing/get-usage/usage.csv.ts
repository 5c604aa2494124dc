import type { UsageResponse } from './usage.response.js';

const HEADER = [
  'month',
  'line',
  'date',
  'project_id',
  'number_id',
  'e164',
  'kind',
  'active_days',
  'calls',
  'seconds',
  'minutes',
  'amount_cents',
  'amount_usd',
];

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function field(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Integer cents as dollars with two decimals, without going through a float. */
function dollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The month as a CSV an accountant can open: a header, one `number` line per number (its fee), one `calls` line
 * per UTC day and number (Vapi's cost), and a `total` line; CRLF line ends (RFC 4180).
 */
export function usageCsv(usage: UsageResponse): string {
  const rows: (string | number | null)[][] = [HEADER];
  for (const n of usage.numbers) {
    rows.push([
      usage.month,
      'number',
      null,
      n.projectId,
      n.numberId,
      n.e164,
      n.kind,
      n.activeDays,
      null,
      null,
      null,
      n.feeCents,
      dollars(n.feeCents),
    ]);
  }
  for (const d of usage.calls.byDay) {
    rows.push([
      usage.month,
      'calls',
      d.date,
      d.projectId,
      d.numberId,
      d.e164,
      null,
      null,
      d.count,
      d.seconds,
      d.minutes,
      d.costCents,
      dollars(d.costCents),
    ]);
  }
  rows.push([
    usage.month,
    'total',
    null,
    null,
    null,
    null,
    null,
    null,
    usage.calls.count,
    usage.calls.seconds,
    usage.calls.minutes,
    usage.totalCents,
    dollars(usage.totalCents),
  ]);
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
