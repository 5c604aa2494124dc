import type { Request } from 'express';
import { VapiError } from './vapi-errors.js';
import type { VapiOrganization } from './vapi-organization.js';
import { mustGet, type VapiCredentialRecord } from './vapi-wire.js';

/** `/credential`: the organization's credentials (a seeded `byo-sip-trunk` one for BYO numbers). */
export class Credentials {
  constructor(private readonly org: VapiOrganization) {}

  list(): VapiCredentialRecord[] {
    return [...this.org.credentials.values()];
  }

  get(req: Request): VapiCredentialRecord {
    return mustGet(this.org.credentials, req, 'Credential');
  }

  create(body: Record<string, unknown>): VapiCredentialRecord {
    const providers = ['byo-sip-trunk', 'webhook', 'custom-credential'];
    if (typeof body?.provider !== 'string' || !providers.includes(body.provider)) {
      throw new VapiError(400, [`provider must be one of the following values: ${providers.join(', ')}`]);
    }
    const now = this.org.now();
    const record: VapiCredentialRecord = {
      ...body,
      id: this.org.options.ids.next('uuid', 'credential'),
      orgId: this.org.orgId,
      provider: body.provider,
      createdAt: now,
      updatedAt: now,
    };
    this.org.credentials.set(record.id, record);
    return record;
  }
}
