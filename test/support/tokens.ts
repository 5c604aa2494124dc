import type { RuntimeConfig } from '../../src/runtime-config.js';
import { mintToken } from '../../src/tenancy/index.js';

/** A bearer header for a tenant of the identity provider, signed with the test app's secret. */
export async function bearer(
  config: RuntimeConfig,
  tenant: string,
  userId = `user-of-${tenant}`,
): Promise<string> {
  return `Bearer ${await mintToken(config.auth, { tenant, userId })}`;
}
