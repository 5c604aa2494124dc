import type { Request } from 'express';
import { VapiError } from './vapi-errors.js';
import type { VapiOrganization } from './vapi-organization.js';
import { limit, mustGet, UUID, type VapiAssistantRecord, type VapiServer } from './vapi-wire.js';

/** `/assistant`: the organization's assistants (three seeded; more through the control panel). */
export class Assistants {
  constructor(private readonly org: VapiOrganization) {}

  list(req: Request): VapiAssistantRecord[] {
    return limit([...this.org.assistants.values()], req);
  }

  get(req: Request): VapiAssistantRecord {
    return mustGet(this.org.assistants, req, 'Assistant');
  }

  add(input: {
    name?: string;
    firstMessage?: string;
    server?: VapiServer;
    id?: string;
  }): VapiAssistantRecord {
    const now = this.org.now();
    // A label of its own: `assistant:<n>` names the seeded assistants, whose ids a counter would reuse.
    const id = input.id ?? this.org.options.ids.next('uuid', 'added-assistant');
    if (!UUID.test(id)) throw new VapiError(400, ['id must be a UUID']);
    const assistant: VapiAssistantRecord = {
      id,
      orgId: this.org.orgId,
      name: input.name ?? 'Sandbox assistant',
      firstMessage: input.firstMessage,
      server: input.server,
      createdAt: now,
      updatedAt: now,
    };
    this.org.assistants.set(id, assistant);
    return assistant;
  }
}
