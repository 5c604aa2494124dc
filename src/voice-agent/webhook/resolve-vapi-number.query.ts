import { Query } from '@nestjs/cqrs';

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
 * The seam to the numbers module, which owns the numbers and registers the handler
 * (`@QueryHandler(ResolveVapiNumberQuery)`). It is asked outside any tenant scope (the webhook does not know the
 * tenant yet), so the handler needs a narrow cross-tenant read, and answers null for a number it does not know
 * (or no longer live).
 */
export class ResolveVapiNumberQuery extends Query<VapiNumberRoute | null> {
  constructor(readonly key: VapiNumberKey) {
    super();
  }
}
