import type { PhoneNumberResponse } from '../phone-number.response.js';
import type { NumberStatus, StepName, StepState } from '../phone-number.entity.js';

/** Provisioning's steps, then the lifecycle's (each present once it has run). */
const STEPS: readonly StepName[] = [
  'purchase',
  'register',
  'activate',
  'update',
  'detach',
  'release',
  'reattach',
];
const NOT_RUN: StepState = { status: 'pending', attempts: 0, lastError: null, updatedAt: '' };

/** Where a number's stream ends: nothing more will change without someone acting (retry, restore). */
export const FINAL_STATUSES: ReadonlySet<NumberStatus> = new Set(['active', 'failed', 'refused', 'released']);

/**
 * What happened to a step between two readings of the number:
 * - `started`: an attempt began (`attempt` says which);
 * - `attempt-failed`: it failed and will be tried again (`error` says with what);
 * - `succeeded`, `failed` (out of attempts, or an error no retry can fix);
 * - `retried`: a failed step was asked to run again.
 */
export type StepChange = 'started' | 'attempt-failed' | 'succeeded' | 'failed' | 'retried';

/** One message of `GET /api/numbers/:id/events`: its SSE `event` name and its JSON `data`. */
export type ProgressMessage =
  | { event: 'state'; data: { number: PhoneNumberResponse } }
  | {
      event: 'step';
      data: {
        step: StepName;
        change: StepChange;
        attempt: number;
        error: { code: string; message: string } | null;
        number: PhoneNumberResponse;
      };
    }
  | { event: 'status'; data: { status: NumberStatus; number: PhoneNumberResponse } };

/**
 * What happened to a step between two readings of the number, in order. The readings may be several commits apart
 * (a client reads slower than steps change): an attempt that started and ended between them still shows as
 * started, and a new attempt after one that was running means that one failed.
 */
function changesOf(before: StepState, after: StepState): { change: StepChange; attempt: number }[] {
  const changes: { change: StepChange; attempt: number }[] = [];
  const now = (change: StepChange) => changes.push({ change, attempt: after.attempts });
  const started = after.attempts > before.attempts;
  if (started && before.status === 'running')
    changes.push({ change: 'attempt-failed', attempt: before.attempts });
  if (started) now('started');
  if (after.status === 'running' || (after.status === before.status && !started)) return changes;
  if (after.status === 'succeeded') now('succeeded');
  else if (after.status === 'failed') now('failed');
  else if (before.status === 'failed') now('retried');
  else if (after.lastError) now('attempt-failed');
  return changes;
}

/** The step a status names while it is under way. */
const STEP_OF_STATUS: Partial<Record<NumberStatus, StepName>> = {
  purchasing: 'purchase',
  registering: 'register',
  activating: 'activate',
  releasing: 'detach',
  restoring: 'reattach',
};

/**
 * The messages that take a client from one reading of the number to the next, in the flow's order: each step's
 * changes, and the number's status where it changed (before the changes of the step it names, `registering`
 * before the register step's; after all of them for `active`, `failed`). Every message carries the number as it
 * stands, which is all a client needs to draw.
 */
export function progressBetween(before: PhoneNumberResponse, after: PhoneNumberResponse): ProgressMessage[] {
  const messages: ProgressMessage[] = [];
  const status: ProgressMessage = { event: 'status', data: { status: after.status, number: after } };
  const statusChanged = after.status !== before.status;
  for (const step of STEPS) {
    const current = after.steps[step];
    if (!current) continue;
    const changes = changesOf(before.steps[step] ?? NOT_RUN, current);
    if (statusChanged && STEP_OF_STATUS[after.status] === step && changes.length > 0) messages.push(status);
    messages.push(
      ...changes.map(({ change, attempt }) => stepMessage(step, change, attempt, current, after)),
    );
  }
  if (statusChanged && !messages.includes(status)) messages.push(status);
  return messages;
}

function stepMessage(
  step: StepName,
  change: StepChange,
  attempt: number,
  state: StepState,
  number: PhoneNumberResponse,
): ProgressMessage {
  const error = change === 'attempt-failed' || change === 'failed' ? state.lastError : null;
  return {
    event: 'step',
    data: {
      step,
      change,
      attempt,
      error: error && { code: error.code, message: error.message },
      number,
    },
  };
}
