import type { OutboxBacklog } from './outbox.metrics.js';

/** Why the outbox is not `ok`: a stable code, a sentence for people, and the subscribers concerned. */
export interface OutboxConcern {
  code: 'OUTBOX.BACKLOG_OLD' | 'OUTBOX.DELIVERIES_FAILED';
  message: string;
  subscribers: string[];
}

/**
 * What `GET /health/outbox` answers: the backlog with a verdict. `degraded` means events are late or stuck
 * (a subscriber's provider is down, a bug), which calls for an operator, not for taking the instance out
 * of the load balancer: it serves requests as well as before.
 */
export interface OutboxReport extends OutboxBacklog {
  status: 'ok' | 'degraded';
  reasons: OutboxConcern[];
  /** `OUTBOX_BACKLOG_ALERT_SECONDS`: the oldest pending delivery's age beyond which the backlog is old. */
  backlogAlertSeconds: number;
}

export function reportOn(backlog: OutboxBacklog, backlogAlertSeconds: number): OutboxReport {
  const reasons: OutboxConcern[] = [];
  const late = backlog.subscribers.filter((s) => s.oldestPendingAgeSeconds > backlogAlertSeconds);
  if (late.length > 0) {
    reasons.push({
      code: 'OUTBOX.BACKLOG_OLD',
      message:
        `the oldest pending delivery is ${Math.floor(backlog.oldestPendingAgeSeconds)} s old, over ` +
        `OUTBOX_BACKLOG_ALERT_SECONDS (${backlogAlertSeconds} s)`,
      subscribers: late.map((s) => s.subscriber),
    });
  }
  const failing = backlog.subscribers.filter((s) => s.failed > 0);
  if (failing.length > 0) {
    reasons.push({
      code: 'OUTBOX.DELIVERIES_FAILED',
      message:
        backlog.failed === 1
          ? '1 delivery ran out of attempts and waits for a retry'
          : `${backlog.failed} deliveries ran out of attempts and wait for a retry`,
      subscribers: failing.map((s) => s.subscriber),
    });
  }
  return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons, backlogAlertSeconds, ...backlog };
}
