import { Injectable } from '@nestjs/common';
import { NumberChanges } from './number-changes.js';
import type { NumberStatus, PhoneNumber } from './phone-number.entity.js';

/** The statuses of a number's flow under way; any other (active, failed, refused, released) is settled. */
const PROVISIONING: readonly NumberStatus[] = ['purchasing', 'registering', 'activating'];

export function isSettled(status: NumberStatus): boolean {
  return !PROVISIONING.includes(status);
}

/** How a wait learns the number's state and what it answers from it. */
export interface SettlementWait<T> {
  /**
   * The number's state at the start, run once the wait listens: the transaction that creates it (answering the number
   * it committed), or `read` when omitted.
   */
  first?: () => Promise<Readonly<PhoneNumber>>;
  /** Reads the number from the database (after a change committed elsewhere, at the deadline). */
  read: () => Promise<Readonly<PhoneNumber>>;
  /** The answer from a state of the number; it may throw (that is then the answer). Called at once, never later. */
  answer: (number: Readonly<PhoneNumber>) => T;
}

/**
 * Waits, holding no database connection, for a number to settle (no longer purchasing, registering or
 * activating: `active`, `failed`, `refused`, or released meanwhile), and answers from its first settled state (or
 * from its state at the deadline). The state comes from `first` at the start, then from each change of that number
 * to a settled status: committed in this process, the change carries the number as committed (`NumberChanges`) and
 * nothing is read; committed on another instance (a `NOTIFY`), or changes possibly missed, the number is read
 * again; and a read at the deadline. No polling: with nothing changing, a wait costs `first` and the deadline's read.
 */
@Injectable()
export class NumberSettlements {
  constructor(private readonly changes: NumberChanges) {}

  async waitFor<T>(numberId: string, timeoutMs: number, wait: SettlementWait<T>): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    let woken: boolean;
    let wake: (() => void) | undefined;
    /** The answer from a settling change committed in this process, taken at its commit. */
    const here: { settled?: () => T } = {};
    // Subscribed before the first state is known, so that a change committed between it and the wait is not missed.
    // A change that leaves the number under way (a step started, an attempt recorded) settles nothing: only one to a
    // settled status, or possibly missed changes (null), is worth waking for.
    const unsubscribe = this.changes.subscribe((change) => {
      if (change !== null && change.numberId !== numberId) return;
      if (change?.number) {
        // As committed: its status after the transaction's last flush.
        if (!isSettled(change.number.status)) return;
        here.settled ??= answerNow(wait.answer, change.number);
      } else if (change !== null && !isSettled(change.status)) return;
      woken = true;
      wake?.();
    });
    try {
      let state = wait.first ?? wait.read;
      for (;;) {
        woken = false;
        const answer = await answerOrNothing(state, wait.answer, deadline);
        state = wait.read;
        // A settling commit of this process while the state was taken is newer than what was taken.
        const settled = here.settled ?? answer;
        if (settled) return settled();
        if (woken) continue; // changed elsewhere while being read
        const left = deadline - performance.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        if (here.settled) return here.settled();
      }
    } finally {
      unsubscribe();
    }
  }
}

/** The answer from `number` now (its value, or what it throws), to be given later. */
function answerNow<T>(answer: (number: Readonly<PhoneNumber>) => T, number: Readonly<PhoneNumber>): () => T {
  try {
    const value = answer(number);
    return () => value;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/**
 * The answer from the number taken when it is the answer (settled, or the deadline passed), else nothing: an
 * unsettled number is not kept through the wait that follows, which would hold it (and the unit of work it was read
 * in) for up to the whole timeout, for every click waiting at once.
 */
async function answerOrNothing<T>(
  take: () => Promise<Readonly<PhoneNumber>>,
  answer: (number: Readonly<PhoneNumber>) => T,
  deadline: number,
): Promise<(() => T) | undefined> {
  const number = await take();
  return isSettled(number.status) || performance.now() >= deadline ? answerNow(answer, number) : undefined;
}
