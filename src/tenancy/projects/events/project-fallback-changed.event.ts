import { DomainEvent } from '../../../shared/domain/domain-event.js';

/** A project's `fallbackNumber` changed (`null`: removed): its live numbers are to transfer there. */
export class ProjectFallbackChangedEvent extends DomainEvent<{
  projectId: string;
  fallbackNumber: string | null;
  previousFallbackNumber: string | null;
}> {
  static readonly TYPE = 'tenancy.project-fallback-changed';
  readonly type = ProjectFallbackChangedEvent.TYPE;
}
