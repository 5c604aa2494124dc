import type { RuntimeConfig } from '../../src/runtime-config.js';
import type { TestApp } from './test-app.js';
import { mintToken } from '../../src/tenancy/auth/development-token.js';

/** A bearer header for a tenant of the identity provider, signed with the test app's secret. */
export async function bearer(
  config: RuntimeConfig,
  tenant: string,
  userId = `user-of-${tenant}`,
): Promise<string> {
  return `Bearer ${await mintToken(config.auth, { tenant, userId })}`;
}

/** Our id of a tenant of the identity provider (it exists once the tenant has made a request). */
export async function tenantIdOf(t: TestApp, tenant: string): Promise<string> {
  const [row] = await t.ownerQuery<{ id: string }>('select id from tenant where external_id = $1', [tenant]);
  if (!row) throw new Error(`tenant ${tenant} has made no request yet`);
  return row.id;
}
