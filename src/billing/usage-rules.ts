/**
 * The billing rules, as pure functions over integers (see README, "Billing and usage"):
 *
 * - a number's live intervals come from its transitions in time order: `live` (activated; later restored or
 *   imported) opens one unless one is open, `dark` (released) closes the open one; an open interval runs until now;
 * - a number's active days in a month are the UTC calendar days of the month that a live interval touches
 *   (`[start, end)`, the day of the start always counting), and never days after today;
 * - a purchased number's fee for the month is `round(monthly × activeDays ÷ daysInMonth)` in integer cents, half
 *   up, so a number live all month costs exactly its monthly fee; an imported number has no fee of ours;
 * - a call is billed `ceil(seconds ÷ 60)` minutes (every started minute), its duration in whole seconds rounded up;
 * - Vapi's cost (US dollars, a float) becomes integer cents once, when the call is recorded: rounded half up on
 *   its decimal value to 10 places, so 0.145 is 15 cents although the float is a shade under 0.145.
 */

export type NumberKind = 'purchased' | 'imported';

export interface NumberTransition {
  at: Date;
  state: 'live' | 'dark';
  kind: NumberKind;
  monthlyCostCents: number;
}

export interface LiveInterval {
  start: Date;
  /** Exclusive; null while the number is live. */
  end: Date | null;
  kind: NumberKind;
  monthlyCostCents: number;
}

export interface Month {
  /** `YYYY-MM`. */
  label: string;
  start: Date;
  /** The first instant of the next month. */
  end: Date;
  days: number;
}

const DAY_MS = 86_400_000;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month `YYYY-MM` in UTC, or null when malformed. */
export function parseMonth(label: string): Month | null {
  const match = MONTH.exec(label);
  if (!match) return null;
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  const start = new Date(Date.UTC(year, index, 1));
  const end = new Date(Date.UTC(year, index + 1, 1));
  return { label, start, end, days: Math.round((end.getTime() - start.getTime()) / DAY_MS) };
}

export function monthOf(at: Date): Month {
  return parseMonth(at.toISOString().slice(0, 7))!;
}

/** A number's live intervals from its transitions (any order in, time order out). */
export function liveIntervals(transitions: readonly NumberTransition[]): LiveInterval[] {
  const sorted = [...transitions].sort((a, b) => a.at.getTime() - b.at.getTime());
  const intervals: LiveInterval[] = [];
  let open: LiveInterval | null = null;
  for (const t of sorted) {
    if (t.state === 'live' && !open) {
      open = { start: t.at, end: null, kind: t.kind, monthlyCostCents: t.monthlyCostCents };
      intervals.push(open);
    } else if (t.state === 'dark' && open) {
      open.end = t.at;
      open = null;
    }
  }
  return intervals;
}

/** The days (1-based day of the month) of `month` that the intervals touch, none after `now`'s day. */
export function activeDaysIn(intervals: readonly LiveInterval[], month: Month, now: Date): number[] {
  const days = new Set<number>();
  const today = Math.floor(now.getTime() / DAY_MS);
  for (const interval of intervals) {
    const first = Math.floor(interval.start.getTime() / DAY_MS);
    // The last instant the interval covers (its end is exclusive); an open interval covers up to now.
    const lastInstant = interval.end
      ? Math.max(interval.start.getTime(), interval.end.getTime() - 1)
      : Infinity;
    const last = Math.min(Math.floor(lastInstant / DAY_MS), today);
    const monthFirst = Math.floor(month.start.getTime() / DAY_MS);
    for (let day = Math.max(first, monthFirst); day <= last && day < monthFirst + month.days; day++) {
      days.add(day - monthFirst + 1);
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** `round(monthlyCents × activeDays ÷ daysInMonth)`, half up, in integers. */
export function proRataFeeCents(monthlyCostCents: number, activeDays: number, daysInMonth: number): number {
  return Math.floor((2 * monthlyCostCents * activeDays + daysInMonth) / (2 * daysInMonth));
}

/** What one number costs in a month: its active days, and its fee at the monthly cost of its latest interval. */
export function numberUsage(
  transitions: readonly NumberTransition[],
  month: Month,
  now: Date,
): { kind: NumberKind; activeDays: number; feeCents: number } | null {
  const intervals = liveIntervals(transitions).filter((i) => activeDaysIn([i], month, now).length > 0);
  const activeDays = activeDaysIn(intervals, month, now).length;
  if (activeDays === 0) return null;
  const latest = intervals[intervals.length - 1];
  const feeCents =
    latest.kind === 'imported' ? 0 : proRataFeeCents(latest.monthlyCostCents, activeDays, month.days);
  return { kind: latest.kind, activeDays, feeCents };
}

/** Whole seconds of a call (rounded up); 0 when Vapi reported none. */
export function callSeconds(durationSeconds: number | null): number {
  return durationSeconds === null ? 0 : Math.ceil(durationSeconds);
}

/** Minutes billed for a call: every started minute. */
export function billedMinutes(seconds: number): number {
  return Math.ceil(seconds / 60);
}

/** US dollars (Vapi's float) to integer cents, half up on the decimal value to 10 places; 0 when not reported. */
export function usdToCents(usd: number | null): number {
  if (usd === null) return 0;
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`not a cost in dollars: ${usd}`);
  const [whole, fraction] = usd.toFixed(10).split('.');
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2));
  return Number(fraction[2]) >= 5 ? cents + 1 : cents;
}
