import { ServiceUnavailableError } from '../shared/errors/index.js';

/** `/health/ready`: a dependency is down; `checks` says which. */
export class NotReadyError extends ServiceUnavailableError {
  static override readonly code = 'HEALTH.NOT_READY';

  constructor(checks: unknown) {
    super('One or more dependencies are not ready.', { checks });
  }
}

/** `/health/outbox`: the backlog cannot be read (the database is unreachable). */
export class OutboxUnreadableError extends ServiceUnavailableError {
  static override readonly code = 'HEALTH.OUTBOX_UNREADABLE';

  constructor() {
    super(
      'The outbox backlog cannot be read right now; /health/ready says whether the database is reachable.',
    );
  }
}
