import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import type { StepName } from '../phone-number.entity.js';

/** How provisioning goes, for the operator: how long it takes, how often steps are tried, and why they fail. */
@Injectable()
export class ProvisioningMetrics {
  private readonly duration: Histogram;
  private readonly attempts: Counter<'step'>;
  private readonly failures: Counter<'step' | 'code' | 'retryable'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'numbers_provisioning_duration_seconds',
      help: 'Seconds from the request of a number to its activation.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60, 300, 1800],
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'numbers_provisioning_step_attempts_total',
      help: 'Attempts of each provisioning step.',
      labelNames: ['step'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'numbers_provisioning_step_failures_total',
      help: 'Failed attempts of each provisioning step, by error code and whether it will be tried again.',
      labelNames: ['step', 'code', 'retryable'],
      registers: [registry],
    });
  }

  attempt(step: StepName): void {
    this.attempts.inc({ step });
  }

  failure(step: StepName, code: string, retryable: boolean): void {
    this.failures.inc({ step, code, retryable: String(retryable) });
  }

  activated(requestedAt: Date, activatedAt: Date): void {
    this.duration.observe(Math.max(0, (activatedAt.getTime() - requestedAt.getTime()) / 1000));
  }
}
