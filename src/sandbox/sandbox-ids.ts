import { createHash } from 'node:crypto';

/** What the sandbox keeps of its ids between starts: where the sequence of run-time ids stands. */
export interface SandboxIdsState {
  counter: number;
}

/**
 * Deterministic identifiers: the same seed and label always give the same id, so a reset sandbox hands out
 * the same SIDs and UUIDs again, and the ids printed by `npm run sandbox` stay valid across restarts.
 */
export class SandboxIds {
  private counter = 0;

  constructor(private readonly seed: number) {}

  hex(label: string, length = 32): string {
    let out = '';
    for (let i = 0; out.length < length; i++) {
      out += createHash('sha256').update(`${this.seed}:${label}:${i}`).digest('hex');
    }
    return out.slice(0, length);
  }

  /** A Twilio SID: two-letter prefix and 32 hex digits. */
  sid(prefix: string, label: string): string {
    return `${prefix}${this.hex(label)}`;
  }

  /** A version 4-shaped UUID. */
  uuid(label: string): string {
    const h = this.hex(label);
    const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** The next id in sequence under this label (for resources created at run time). */
  next(prefix: string, label: string): string {
    this.counter += 1;
    return prefix === 'uuid'
      ? this.uuid(`${label}:${this.counter}`)
      : this.sid(prefix, `${label}:${this.counter}`);
  }

  reset(): void {
    this.counter = 0;
  }

  exportState(): SandboxIdsState {
    return { counter: this.counter };
  }

  /** Goes on from a saved sequence, so that no id handed out before a restart is handed out again. */
  importState(state: SandboxIdsState): void {
    this.counter = state.counter;
  }
}

/** A small seeded PRNG (mulberry32): the inventory and fault probabilities are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
