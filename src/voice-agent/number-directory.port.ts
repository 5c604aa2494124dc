/** Who owns a Vapi phone number, and which agent it answers with. */
export interface VapiNumberRoute {
  tenantId: string;
  projectId: string;
  /** Our agent id (not the Vapi assistant id), or null when the number has none. */
  agentId: string | null;
  /** The number's id in the numbers module, and the number itself: the call events carry both. */
  numberId: string;
  e164: string;
}

/** One way to name a Vapi number: its Vapi id, or the E.164 number itself. */
export type VapiNumberKey = { vapiPhoneNumberId: string } | { number: string };

/**
 * What this module needs to know of the phone numbers, which the numbers module holds: who owns the number a Vapi
 * webhook names, and whether a number still answers with an agent. Declared here, on the side that asks, and
 * implemented by the numbers module, so that the dependency runs one way (numbers uses voice-agent, never the
 * reverse); without an implementation the application does not boot.
 */
export abstract class NumberDirectory {
  /**
   * The owner of a number that is not released, or null. Asked outside any tenant scope (the webhook does not
   * know the tenant yet), so the implementation needs a narrow cross-tenant read.
   */
  abstract routeOf(key: VapiNumberKey): Promise<VapiNumberRoute | null>;

  /**
   * Whether a number of the current tenant that is not released answers with this agent (a failed number may
   * still be retried, and needs its agent then).
   */
  abstract isAgentInUse(agentId: string): Promise<boolean>;
}
