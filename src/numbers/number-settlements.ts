import { Injectable } from '@nestjs/common';
import { NumberChanges } from './number-changes.js';
import type { NumberStatus, PhoneNumber } from './phone-number.entity.js';

/** The statuses of a number's flow under way; any other (active, failed, refused, released) is settled. */
const PROVISIONING: readonly NumberStatus[] = ['purchasing', 'registering', 'activating'];

export function isSettled(status: NumberStatus): boolean {
  return !PROVISIONING.includes(status);
}

/**
 * Waits, holding no database connection, for a number to settle (no longer purchasing, registering or
 * activating: `active`, `failed`, `refused`, or released meanwhile): the caller's
 * `read` runs once at the start, once after each wake-up (a change of that number to a settled status committed on
 * any instance, or changes possibly missed: see `NumberChanges`), and once at the deadline; what it answers last decides. No
 * polling: with nothing changing, a wait costs two reads.
 */
@Injectable()
export class NumberSettlements {
  constructor(private readonly changes: NumberChanges) {}

  async waitFor(numberId: string, timeoutMs: number, read: () => Promise<PhoneNumber>): Promise<PhoneNumber> {
    const deadline = performance.now() + timeoutMs;
    let woken: boolean;
    let wake: (() => void) | undefined;
    // Subscribed before the first read, so that a change committed between the read and the wait is not missed.
    // A change that leaves the number under way (a step started, an attempt recorded) settles nothing: only one to a
    // settled status, or possibly missed changes (null), is worth a read.
    const unsubscribe = this.changes.subscribe((change) => {
      if (change !== null && (change.numberId !== numberId || !isSettled(change.status))) return;
      woken = true;
      wake?.();
    });
    try {
      for (;;) {
        woken = false;
        const answer = await answerOrNothing(read, deadline);
        if (answer) return answer;
        if (woken) continue; // changed while being read
        const left = deadline - performance.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
    }
  }
}

/**
 * The number read when it is the answer (settled, or the deadline passed), else nothing: an unsettled number is not
 * kept through the wait that follows, which would hold it (and the unit of work it was read in) for up to the whole
 * timeout, for every click waiting at once.
 */
async function answerOrNothing(
  read: () => Promise<PhoneNumber>,
  deadline: number,
): Promise<PhoneNumber | undefined> {
  const number = await read();
  return isSettled(number.status) || performance.now() >= deadline ? number : undefined;
}
