export interface DurationSummary {
  /** How many numbers went through the step in the window. */
  count: number;
  /** Seconds; null when count is 0. */
  p50Seconds: number | null;
  p95Seconds: number | null;
}

/** The nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** p50 and p95 of durations in milliseconds, in seconds with millisecond precision. */
export function summarise(durationsMs: readonly number[]): DurationSummary {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);
  return {
    count: sorted.length,
    p50Seconds: seconds(nearestRank(sorted, 50)),
    p95Seconds: seconds(nearestRank(sorted, 95)),
  };
}
