import { DomainEvent } from '../../../shared/domain/domain-event.js';

/** A call on one of a tenant's numbers was answered (Vapi `status-update` with status `in-progress`). */
export class CallStartedEvent extends DomainEvent<{
  projectId: string;
  /** The number called (our id and its E.164). */
  numberId: string;
  e164: string;
  /** Vapi's call id: the key for correlating a call's events; Vapi may deliver a message twice. */
  vapiCallId: string;
  startedAt: string;
}> {
  static readonly TYPE = 'voice-agent.call-started';
  readonly type = CallStartedEvent.TYPE;
}
