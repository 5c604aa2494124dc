import { describe, expect, it } from '@jest/globals';
import type { StepName, StepState } from '../phone-number.entity.js';
import type { PhoneNumberResponse } from '../phone-number.response.js';
import { progressBetween } from './number-progress.js';

const step = (status: StepState['status'], attempts: number, code?: string): StepState => ({
  status,
  attempts,
  lastError: code ? { code, message: `${code} happened` } : null,
  updatedAt: '2026-12-01T12:00:00.000Z',
});

const number = (
  status: PhoneNumberResponse['status'],
  steps: Partial<Record<StepName, StepState>>,
): PhoneNumberResponse =>
  ({
    id: 'n1',
    status,
    steps: {
      purchase: step('pending', 0),
      register: step('pending', 0),
      activate: step('pending', 0),
      ...steps,
    },
  }) as PhoneNumberResponse;

const summary = (before: PhoneNumberResponse, after: PhoneNumberResponse) =>
  progressBetween(before, after).map((m) =>
    m.event === 'step'
      ? `${m.data.step} ${m.data.change} #${m.data.attempt}${m.data.error ? ` ${m.data.error.code}` : ''}`
      : `${m.event} ${m.data.number.status}`,
  );

describe('the progress between two readings of a number', () => {
  it('says nothing when nothing changed', () => {
    const same = number('registering', { purchase: step('succeeded', 1), register: step('running', 1) });
    expect(summary(same, same)).toEqual([]);
  });

  it('follows one step at a time: started, attempt failed with its code, started again, succeeded', () => {
    const a = number('registering', { purchase: step('succeeded', 1) });
    const b = number('registering', { purchase: step('succeeded', 1), register: step('running', 1) });
    const c = number('registering', {
      purchase: step('succeeded', 1),
      register: step('pending', 1, 'VOICE_AGENT.PROVIDER_ERROR'),
    });
    const d = number('registering', {
      purchase: step('succeeded', 1),
      register: step('running', 2, 'VOICE_AGENT.PROVIDER_ERROR'),
    });
    const e = number('activating', { purchase: step('succeeded', 1), register: step('succeeded', 2) });
    expect([...summary(a, b), ...summary(b, c), ...summary(c, d), ...summary(d, e)]).toEqual([
      'register started #1',
      'register attempt-failed #1 VOICE_AGENT.PROVIDER_ERROR',
      'register started #2',
      'register succeeded #2',
      'status activating',
    ]);
    // The status that names a step comes before that step's changes.
    const f = number('activating', {
      purchase: step('succeeded', 1),
      register: step('succeeded', 2),
      activate: step('running', 1),
    });
    expect(summary(d, f)).toEqual(['register succeeded #2', 'status activating', 'activate started #1']);
  });

  it('reports what happened between readings several commits apart, in the flow order', () => {
    const start = number('purchasing', {});
    const live = number('active', {
      purchase: step('succeeded', 1),
      register: step('succeeded', 1),
      activate: step('succeeded', 1),
    });
    expect(summary(start, live)).toEqual([
      'purchase started #1',
      'purchase succeeded #1',
      'register started #1',
      'register succeeded #1',
      'activate started #1',
      'activate succeeded #1',
      'status active',
    ]);
    // An attempt that was running, then another one: the first failed.
    const running = number('registering', { purchase: step('succeeded', 1), register: step('running', 1) });
    const again = number('registering', {
      purchase: step('succeeded', 1),
      register: step('running', 2, 'VOICE_AGENT.UNREACHABLE'),
    });
    expect(summary(running, again)).toEqual([
      'register attempt-failed #1 VOICE_AGENT.UNREACHABLE',
      'register started #2',
    ]);
  });

  it('reports a failure out of attempts and a retry', () => {
    const running = number('registering', { purchase: step('succeeded', 1), register: step('running', 3) });
    const failed = number('failed', {
      purchase: step('succeeded', 1),
      register: step('failed', 3, 'VOICE_AGENT.REQUEST_REJECTED'),
    });
    const retried = number('registering', {
      purchase: step('succeeded', 1),
      register: step('pending', 3, 'VOICE_AGENT.REQUEST_REJECTED'),
    });
    expect([...summary(running, failed), ...summary(failed, retried)]).toEqual([
      'register failed #3 VOICE_AGENT.REQUEST_REJECTED',
      'status failed',
      'status registering',
      'register retried #3',
    ]);
  });
});
