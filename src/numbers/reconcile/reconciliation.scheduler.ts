import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ReconcileConfig } from '../../config/index.js';
import { NumberReconciliation } from './number-reconciliation.js';

/** How often an instance asks whether a scheduled reconciliation is due (at most; less when the interval is shorter). */
const TICK_MS = 60_000;

/**
 * Runs a reconciliation every `RECONCILE_INTERVAL_MINUTES` (0: never). Every instance ticks; the due time lives in
 * the lease's row (`next_run_at`), and a tick runs only when that time has passed and no other instance holds the
 * lease, so one instance at a time reconciles and the schedule survives restarts. No outbox delivery is involved.
 */
@Injectable()
export class ReconciliationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reconciliation');
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly reconciliation: NumberReconciliation,
    private readonly config: ReconcileConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.intervalMinutes === 0) return;
    this.timer = setInterval(() => void this.tick(), Math.min(TICK_MS, this.config.intervalMinutes * 60_000));
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Runs the reconciliation if it is due and no one else runs it; never throws (the next tick tries again). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      // What it finds is logged by the run itself (each repair, and a summary).
      await this.reconciliation.run({ scheduled: true });
    } catch (error) {
      this.logger.error({ err: error }, 'scheduled reconciliation failed; the next one tries again');
    } finally {
      this.ticking = false;
    }
  }
}
