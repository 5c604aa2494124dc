/** A call on one of a tenant's numbers was answered (Vapi `status-update` with status `in-progress`). */
export class CallStartedEvent {
  readonly type = 'voice-agent.call-started';

  constructor(
    readonly tenantId: string,
    readonly projectId: string,
    /** Vapi's call id: the key for correlating a call's events; deliveries may repeat. */
    readonly vapiCallId: string,
    readonly occurredAt: string,
  ) {}
}
