import { describe, expect, it } from '@jest/globals';
import { PhoneNumber } from '../phone-number.entity.js';
import { StepHandOffs } from './step-hand-offs.js';

const aNumber = () => {
  const number = new PhoneNumber({
    tenantId: '00000000-0000-4000-8000-000000000001',
    projectId: '11111111-2222-4333-8444-555555555555',
    agentId: '00000000-0000-4000-8000-000000000003',
    areaCode: '205',
    requestedNumber: null,
  });
  number.startNextStep();
  return number;
};

describe('StepHandOffs', () => {
  it('hands the number to its step once the transaction that offered it committed, once', async () => {
    const handOffs = new StepHandOffs();
    const number = aNumber();
    const offer = handOffs.offer(number)!;
    // The step's delivery starts at the commit: it may ask before the writer learns the commit succeeded.
    const taken = handOffs.take(number.id, 'purchase');
    offer.committed();
    await expect(taken).resolves.toBe(number);
    await expect(handOffs.take(number.id, 'purchase')).resolves.toBeUndefined();
  });

  it('hands nothing when the transaction did not commit: the step reads the number', async () => {
    const handOffs = new StepHandOffs();
    const number = aNumber();
    const offer = handOffs.offer(number)!;
    const taken = handOffs.take(number.id, 'purchase');
    offer.abandoned();
    await expect(taken).resolves.toBeUndefined();

    handOffs.offer(number)!.abandoned();
    await expect(handOffs.take(number.id, 'purchase')).resolves.toBeUndefined();
  });

  it('hands nothing to another step than the one the number was moved to', async () => {
    const handOffs = new StepHandOffs();
    const number = aNumber();
    handOffs.offer(number)!.committed();
    await expect(handOffs.take(number.id, 'register')).resolves.toBeUndefined();
    await expect(handOffs.take(number.id, 'purchase')).resolves.toBeUndefined();
  });

  it('hands over what a transaction offered once it returned, and nothing when it threw', async () => {
    const handOffs = new StepHandOffs();
    const kept = aNumber();
    let taken: Promise<PhoneNumber | undefined> | undefined;
    await handOffs.offeringIn(async (offer) => {
      offer(kept);
      // The step's delivery may start at the commit, before the transaction's caller has its answer.
      taken = handOffs.take(kept.id, 'purchase');
    });
    await expect(taken).resolves.toBe(kept);

    const dropped = aNumber();
    const refused = new Error('the commit was refused');
    await expect(
      handOffs.offeringIn(async (offer) => {
        offer(dropped);
        throw refused;
      }),
    ).rejects.toBe(refused);
    await expect(handOffs.take(dropped.id, 'purchase')).resolves.toBeUndefined();
  });

  it('forgets an offer no delivery took within its time (the step ran on another instance)', async () => {
    const handOffs = new StepHandOffs();
    const stale = aNumber();
    handOffs.offer(stale, 1_000)!.committed();
    const fresh = aNumber();
    handOffs.offer(fresh, 1_000 + 31_000)!.committed();
    await expect(handOffs.take(stale.id, 'purchase', 32_000)).resolves.toBeUndefined();
    await expect(handOffs.take(fresh.id, 'purchase', 32_000)).resolves.toBe(fresh);
    // Nothing offered since: an offer past its time is not taken either.
    const late = aNumber();
    handOffs.offer(late, 40_000)!.committed();
    await expect(handOffs.take(late.id, 'purchase', 40_000 + 30_000)).resolves.toBeUndefined();
  });

  it('takes no offer of a number no step waits for', async () => {
    const handOffs = new StepHandOffs();
    const live = aNumber();
    live.failStep('purchase', { code: 'NUMBERS.CONFLICT', message: 'held by another number' });
    expect(live.currentStep).toBeNull();
    expect(handOffs.offer(live)).toBeUndefined();
  });
});
