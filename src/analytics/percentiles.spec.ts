import { describe, expect, it } from '@jest/globals';
import { nearestRank, summarise } from './percentiles.js';

describe('percentiles', () => {
  it('takes the nearest rank: the smallest value with at least p % at or below it', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(values, 50)).toBe(5);
    expect(nearestRank(values, 95)).toBe(10);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('summarises milliseconds as seconds, in any input order', () => {
    expect(summarise([3_000, 1_000, 2_500, 120_000])).toEqual({ count: 4, p50Seconds: 2.5, p95Seconds: 120 });
    expect(summarise([])).toEqual({ count: 0, p50Seconds: null, p95Seconds: null });
  });
});
