/**
 * Reads environment variables, collecting every problem instead of stopping at the first, so that a
 * misconfigured boot fails once with a message that names all of them.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Record<string, string | undefined>) {}

  /** The raw value, with blank strings treated as unset. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  integer(name: string, fallback: number, { min, max }: { min?: number; max?: number } = {}): number {
    return this.number(name, fallback, {
      valid: (value, parsed) => /^-?\d+$/.test(value) && Number.isSafeInteger(parsed),
      invalid: 'must be an integer',
      min,
      max,
    });
  }

  /** A decimal number (`0`, `48`, `0.001`) within a range. */
  decimal(name: string, fallback: number, { min, max }: { min: number; max: number }): number {
    return this.number(name, fallback, {
      valid: (value, parsed) => /^\d+(\.\d+)?$/.test(value) && Number.isFinite(parsed),
      invalid: 'must be a number such as 48 or 0.5',
      min,
      max,
    });
  }

  private number(
    name: string,
    fallback: number,
    rule: { valid: (value: string, parsed: number) => boolean; invalid: string; min?: number; max?: number },
  ): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!rule.valid(value, parsed)) {
      this.problem(name, `${rule.invalid} (got "${value}")`);
      return fallback;
    }
    const { min, max } = rule;
    if ((min !== undefined && parsed < min) || (max !== undefined && parsed > max)) {
      this.problem(name, `must be between ${min ?? '-∞'} and ${max ?? '∞'} (got ${parsed})`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problem(name, `must be true or false (got "${value}")`);
    return fallback;
  }

  /**
   * A duration in whole seconds, written as a number of seconds (`3600`) or with one unit: `90s`, `15m`, `24h`,
   * `7d`.
   */
  durationSeconds(name: string, fallback: number, { min, max }: { min: number; max: number }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = /^(\d{1,9})([smhd]?)$/.exec(value);
    if (!match) {
      this.problem(name, `must be a duration such as 3600, 90s, 15m, 24h or 7d (got "${value}")`);
      return fallback;
    }
    const seconds = Number(match[1]) * { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as '' | 's'];
    if (seconds < min || seconds > max) {
      this.problem(name, `must be between ${min} and ${max} seconds (got ${seconds})`);
      return fallback;
    }
    return seconds;
  }

  /** A comma-separated list of values, each one of `allowed` (upper-cased). */
  listOf<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const items = value
      .split(',')
      .map((item) => item.trim().toUpperCase())
      .filter((item) => item.length > 0);
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (items.length === 0 || unknown.length > 0) {
      this.problem(name, `must list one or more of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return [...new Set(items)] as T[];
  }

  url(name: string, { protocols = ['http:', 'https:'] }: { protocols?: string[] } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problem(name, `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`);
        return undefined;
      }
      return value.replace(/\/+$/, '');
    } catch {
      this.problem(name, 'must be a valid URL');
      return undefined;
    }
  }

  matching(name: string, pattern: RegExp, description: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!pattern.test(value)) {
      this.problem(name, `must be ${description}`);
      return undefined;
    }
    return value;
  }

  /** Refuses a variable that is no longer read, so that a stale setting stops the boot instead of being ignored. */
  removed(name: string, instead: string): void {
    if (this.has(name)) this.problem(name, `is no longer read: ${instead}`);
  }

  /** Records a problem for a variable that is required in the current mode. */
  require<T>(name: string, value: T | undefined, why: string): T {
    if (value === undefined && !this.problems.some((p) => p.startsWith(`${name} `))) {
      this.problem(name, `is required ${why}`);
    }
    return value as T;
  }

  problem(name: string, message: string): void {
    this.problems.push(`${name} ${message}`);
  }

  assertValid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
