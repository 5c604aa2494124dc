import { Injectable } from '@nestjs/common';

export interface ReadinessOutcome {
  up: boolean;
  data?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessOutcome>;

/**
 * Where each module registers what this instance needs to serve requests (the database reachable and
 * migrated, ...). `GET /health/ready` runs every check. Only what this instance can fix by itself, or what a
 * load balancer should route around, belongs here: a provider's outage or an outbox backlog is the same on
 * every instance, and failing readiness for it would take them all out of the load balancer at once (see
 * `GET /health/outbox` for the backlog).
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
