import { Global, Injectable, Module } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumberDirectory, type VapiNumberKey, type VapiNumberRoute } from '../voice-agent/index.js';
import { PhoneNumber } from './phone-number.entity.js';

interface RouteRow {
  tenant_id: string;
  project_id: string;
  agent_id: string;
  number_id: string;
  e164: string;
}

/** Voice-agent's questions about numbers, answered from the `phone_number` table. */
@Injectable()
export class PhoneNumberDirectory extends NumberDirectory {
  constructor(private readonly em: EntityManager) {
    super();
  }

  /**
   * Row-level security hides every tenant's numbers outside a tenant scope, so this goes through
   * `resolve_vapi_number`, a security-definer function that answers only this question (see the migration that
   * creates `phone_number`).
   */
  async routeOf(key: VapiNumberKey): Promise<VapiNumberRoute | null> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<RouteRow[]>('select * from resolve_vapi_number(?, ?)', [
        'vapiPhoneNumberId' in key ? key.vapiPhoneNumberId : null,
        'number' in key ? key.number : null,
      ]);
    return row
      ? {
          tenantId: row.tenant_id,
          projectId: row.project_id,
          agentId: row.agent_id,
          numberId: row.number_id,
          e164: row.e164,
        }
      : null;
  }

  async isAgentInUse(agentId: string): Promise<boolean> {
    // The agent a number is changing to counts too: the change would fail without it.
    const count = await this.em.fork().count(PhoneNumber, {
      $or: [{ agentId }, { pendingChange: { agentId } }],
      status: { $ne: 'released' },
    });
    return count > 0;
  }
}

/**
 * Provides voice-agent's `NumberDirectory` to the whole application: voice-agent cannot import the numbers module
 * (numbers imports it), so the implementation is made global instead, and only it.
 */
@Global()
@Module({
  providers: [{ provide: NumberDirectory, useClass: PhoneNumberDirectory }],
  exports: [NumberDirectory],
})
export class NumberDirectoryModule {}
