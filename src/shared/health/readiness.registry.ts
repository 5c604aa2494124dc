import { Injectable } from '@nestjs/common';

export interface ReadinessOutcome {
  up: boolean;
  data?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessOutcome>;

/**
 * Where each module registers what must hold for the service to take traffic (the database reachable,
 * the outbox not backed up, ...). `GET /health/ready` runs every check.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }

  /** Marks the service as shutting down: readiness fails so that load balancers stop sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
