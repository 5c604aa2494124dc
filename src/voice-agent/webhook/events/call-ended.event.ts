/** A call ended (Vapi `end-of-call-report`), with what billing and analytics need. */
export class CallEndedEvent {
  readonly type = 'voice-agent.call-ended';

  constructor(
    readonly tenantId: string,
    readonly projectId: string,
    readonly vapiCallId: string,
    readonly endedReason: string | null,
    /** Seconds the call lasted, when Vapi reported it (or its start and end). */
    readonly durationSeconds: number | null,
    /** Vapi's total cost of the call in USD, when reported. */
    readonly cost: number | null,
    readonly occurredAt: string,
  ) {}
}
