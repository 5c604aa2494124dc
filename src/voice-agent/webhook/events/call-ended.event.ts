import { DomainEvent } from '../../../shared/domain/domain-event.js';

/** A call ended (Vapi `end-of-call-report`), with what billing and analytics need. */
export class CallEndedEvent extends DomainEvent<{
  projectId: string;
  /** The number called (our id and its E.164). */
  numberId: string;
  e164: string;
  /** Vapi's call id: consumers count a call once by it (Vapi may deliver a report twice). */
  vapiCallId: string;
  endedReason: string | null;
  /** Seconds the call lasted, when Vapi reported it (or its start and end). */
  durationSeconds: number | null;
  /** Vapi's total cost of the call in USD, when reported. */
  cost: number | null;
  endedAt: string;
}> {
  static readonly TYPE = 'voice-agent.call-ended';
  readonly type = CallEndedEvent.TYPE;
}
