import { describe, expect, it } from '@jest/globals';
import {
  activeDaysIn,
  billedMinutes,
  callSeconds,
  liveIntervals,
  numberUsage,
  parseMonth,
  proRataFeeCents,
  usdToCents,
  type NumberTransition,
} from './usage-rules.js';

const november = parseMonth('2026-11')!;
const later = new Date('2027-01-15T00:00:00Z');
const live = (
  at: string,
  monthlyCostCents = 115,
  kind: 'purchased' | 'imported' = 'purchased',
): NumberTransition => ({
  at: new Date(at),
  state: 'live',
  kind,
  monthlyCostCents,
});
const dark = (at: string): NumberTransition => ({
  at: new Date(at),
  state: 'dark',
  kind: 'purchased',
  monthlyCostCents: 0,
});

describe('usage rules', () => {
  describe('parseMonth', () => {
    it('reads YYYY-MM in UTC with its number of days', () => {
      expect(parseMonth('2026-11')).toEqual({
        label: '2026-11',
        start: new Date('2026-11-01T00:00:00Z'),
        end: new Date('2026-12-01T00:00:00Z'),
        days: 30,
      });
      expect(parseMonth('2028-02')!.days).toBe(29);
      expect(parseMonth('2026-13')).toBeNull();
      expect(parseMonth('2026-1')).toBeNull();
    });
  });

  describe('a number live all month', () => {
    it('costs exactly the monthly fee', () => {
      expect(numberUsage([live('2026-10-20T08:00:00Z')], november, later)).toEqual({
        kind: 'purchased',
        activeDays: 30,
        feeCents: 115,
      });
    });
  });

  describe('a number released mid-month', () => {
    it('counts every day its interval touches, the day of release included', () => {
      const usage = numberUsage(
        [live('2026-11-03T10:00:00Z'), dark('2026-11-16T09:00:00Z')],
        november,
        later,
      );
      // 3 → 16 November: 14 days; 115 × 14 ÷ 30 = 53.67 → 54
      expect(usage).toEqual({ kind: 'purchased', activeDays: 14, feeCents: 54 });
    });

    it('does not count the day after a release at midnight', () => {
      const usage = numberUsage(
        [live('2026-11-03T10:00:00Z'), dark('2026-11-16T00:00:00Z')],
        november,
        later,
      );
      expect(usage?.activeDays).toBe(13);
    });

    it('takes the transitions in time order, whatever order they arrive in', () => {
      const t = [dark('2026-11-16T09:00:00Z'), live('2026-11-03T10:00:00Z')];
      expect(numberUsage(t, november, later)?.activeDays).toBe(14);
    });

    it('counts a day once when released and restored the same day', () => {
      const t = [
        live('2026-11-03T10:00:00Z'),
        dark('2026-11-05T09:00:00Z'),
        live('2026-11-05T18:00:00Z'),
        dark('2026-11-06T01:00:00Z'),
      ];
      expect(activeDaysIn(liveIntervals(t), november, later)).toEqual([3, 4, 5, 6]);
    });

    it('is not billed in a month it was not live', () => {
      expect(
        numberUsage([live('2026-10-03T10:00:00Z'), dark('2026-10-16T09:00:00Z')], november, later),
      ).toBeNull();
    });
  });

  describe('a number still live', () => {
    it('accrues up to today only', () => {
      const usage = numberUsage([live('2026-11-03T10:00:00Z')], november, new Date('2026-11-10T23:00:00Z'));
      expect(usage).toEqual({ kind: 'purchased', activeDays: 8, feeCents: proRataFeeCents(115, 8, 30) });
    });

    it('accrues nothing in a month that has not begun', () => {
      expect(
        numberUsage([live('2026-11-03T10:00:00Z')], november, new Date('2026-10-31T12:00:00Z')),
      ).toBeNull();
    });
  });

  it('charges no fee of ours for an imported number', () => {
    expect(numberUsage([live('2026-11-03T10:00:00Z', 115, 'imported')], november, later)).toEqual({
      kind: 'imported',
      activeDays: 28,
      feeCents: 0,
    });
  });

  it('rounds the pro-rata fee half up in integers', () => {
    expect(proRataFeeCents(100, 15, 30)).toBe(50);
    expect(proRataFeeCents(115, 1, 30)).toBe(4); // 3.83
    expect(proRataFeeCents(3, 5, 30)).toBe(1); // 0.5 → 1
    expect(proRataFeeCents(115, 31, 31)).toBe(115);
  });

  it('bills every started minute of a call', () => {
    expect([0, 1, 59, 60, 61, 125].map(billedMinutes)).toEqual([0, 1, 1, 1, 2, 3]);
    expect(callSeconds(59.2)).toBe(60);
    expect(callSeconds(null)).toBe(0);
  });

  it('turns dollars into cents half up on the decimal value', () => {
    expect(usdToCents(0.035)).toBe(4);
    expect(usdToCents(0.145)).toBe(15); // the float is 0.14499999999999999
    expect(usdToCents(0.0349)).toBe(3);
    expect(usdToCents(1.005)).toBe(101);
    expect(usdToCents(12)).toBe(1200);
    expect(usdToCents(null)).toBe(0);
    expect(() => usdToCents(-1)).toThrow(RangeError);
  });
});
