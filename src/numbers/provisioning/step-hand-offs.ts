import { Injectable } from '@nestjs/common';
import type { PhoneNumber, StepName } from '../phone-number.entity.js';

/** How long an offered number waits for its step's delivery to take it; after that the delivery reads it. */
const OFFER_TTL_MS = 30_000;

interface Offer {
  number: PhoneNumber;
  /** The step the number was moved to. */
  step: StepName | null;
  /** Settles true once the transaction that wrote the number committed, false when it did not. */
  committed: Promise<boolean>;
  at: number;
}

/** An offer made inside a transaction: settle it with that transaction's end. */
export interface PendingOffer {
  committed(): void;
  abandoned(): void;
}

/**
 * Numbers handed from the transaction that moved them to a provisioning step (and recorded its first attempt) to
 * that step's delivery in this process: the delivery, claimed as it was written and started at the commit, takes
 * the number as it was committed instead of reading it again (two round trips fewer per step). What is taken is
 * checked as a read would be (the step, its attempt); a number not offered, offered by a transaction that did not
 * commit, or left untaken for `OFFER_TTL_MS` (its delivery ran on another instance) is read.
 */
@Injectable()
export class StepHandOffs {
  private readonly offers = new Map<string, Offer>();

  /** Offers `number` from inside the transaction writing it; `committed()` or `abandoned()` once it has ended. */
  offer(number: PhoneNumber, now = Date.now()): PendingOffer | undefined {
    // A number no step waits for (live, failed, refused) is nobody's to take.
    if (number.currentStep === null) return undefined;
    for (const [id, offer] of this.offers) {
      // In insertion order: the oldest first.
      if (now - offer.at < OFFER_TTL_MS) break;
      this.offers.delete(id);
    }
    let settle!: (committed: boolean) => void;
    const committed = new Promise<boolean>((resolve) => (settle = resolve));
    const offer: Offer = { number, step: number.currentStep, committed, at: now };
    this.offers.delete(number.id);
    this.offers.set(number.id, offer);
    return {
      committed: () => settle(true),
      abandoned: () => {
        settle(false);
        if (this.offers.get(number.id) === offer) this.offers.delete(number.id);
      },
    };
  }

  /**
   * Runs `write`, a transaction that moves numbers to their next step, handing over each it offers (`offer(number)`,
   * inside the transaction): they are handed over once `write` has returned (committed), dropped if it threw.
   */
  async offeringIn<T>(write: (offer: (number: PhoneNumber) => void) => Promise<T>): Promise<T> {
    const pending: PendingOffer[] = [];
    try {
      const result = await write((number) => {
        const offer = this.offer(number);
        if (offer) pending.push(offer);
      });
      for (const offer of pending) offer.committed();
      return result;
    } catch (error) {
      for (const offer of pending) offer.abandoned();
      throw error;
    }
  }

  /** The number offered for `numberId` at `step` once its transaction committed, else undefined (then read it). */
  async take(numberId: string, step: StepName, now = Date.now()): Promise<PhoneNumber | undefined> {
    const offer = this.offers.get(numberId);
    if (!offer) return undefined;
    this.offers.delete(numberId);
    if (offer.step !== step || now - offer.at >= OFFER_TTL_MS) return undefined;
    return (await offer.committed) ? offer.number : undefined;
  }
}
