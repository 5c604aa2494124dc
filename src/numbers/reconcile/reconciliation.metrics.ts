import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Counter, Gauge, Registry } from 'prom-client';
import { REPAIR_KINDS, type RepairKind } from './reconciliation-report.js';

/** What reconciliation does, for the operator: its runs, its repairs by kind, and the degraded numbers. */
@Injectable()
export class ReconciliationMetrics {
  private readonly runs: Counter<'outcome'>;
  private readonly repairs: Counter<'kind'>;
  private readonly repairFailures: Counter<'kind'>;

  constructor(registry: Registry, em: EntityManager) {
    this.runs = new Counter({
      name: 'numbers_reconciliation_runs_total',
      help: 'Reconciliations of Twilio, Vapi and the database run by this instance, by outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.repairs = new Counter({
      name: 'numbers_reconciliation_repairs_total',
      help: 'Repairs made by reconciliations of this instance, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.repairFailures = new Counter({
      name: 'numbers_reconciliation_repair_failures_total',
      help: 'Repairs that failed (tried again by the next reconciliation), by kind.',
      labelNames: ['kind'],
      registers: [registry],
    });
    // Every series from the start, at 0, so that a dashboard or an alert sees a kind before its first repair.
    for (const kind of REPAIR_KINDS) {
      this.repairs.inc({ kind }, 0);
      this.repairFailures.inc({ kind }, 0);
    }
    for (const outcome of ['completed', 'skipped', 'failed']) this.runs.inc({ outcome }, 0);
    new Gauge({
      name: 'numbers_degraded',
      help: 'Numbers of every tenant that Twilio no longer has (status degraded), read from the database.',
      registers: [registry],
      async collect() {
        try {
          const [row] = await em
            .fork()
            .getConnection()
            .execute<{ n: string }[]>('select phone_number_degraded_count() as n');
          this.set(Number(row!.n));
        } catch {
          // Unreadable: no value rather than a reassuring 0.
          this.set(Number.NaN);
        }
      },
    });
  }

  ran(outcome: 'completed' | 'skipped' | 'failed'): void {
    this.runs.inc({ outcome });
  }

  repaired(kind: RepairKind): void {
    this.repairs.inc({ kind });
  }

  repairFailed(kind: RepairKind): void {
    this.repairFailures.inc({ kind });
  }
}
