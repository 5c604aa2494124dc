import type { HttpConfig, VapiConfig } from '../../config/index.js';
import type {
  VapiFallbackDestination,
  VapiPhoneNumber,
  VapiPhoneNumberChanges,
  VapiServerSettings,
} from '../voice-agent.port.js';

/** The webhook every number of ours sends its calls' messages to, authenticated by the shared secret. */
export function webhookServer(http: HttpConfig, vapi: VapiConfig): VapiServerSettings {
  return {
    url: `${http.publicBaseUrl}/api/vapi/webhook`,
    headers: { 'x-vapi-secret': vapi.webhookSecret },
  };
}

export function fallbackDestination(fallbackNumber: string | null): VapiFallbackDestination | undefined {
  return fallbackNumber ? { type: 'number', number: fallbackNumber } : undefined;
}

/**
 * Everything of a Vapi number that this service decides: its name (the project's tag), the agent's assistant, our
 * webhook and the project's fallback (`null` clears a fallback Vapi holds). The same settings register a number and
 * change it.
 */
export function numberSettings(
  http: HttpConfig,
  vapi: VapiConfig,
  wanted: { name: string; assistantId: string; fallbackNumber: string | null },
): VapiPhoneNumberChanges & { name: string; assistantId: string; server: VapiServerSettings } {
  return {
    name: wanted.name,
    assistantId: wanted.assistantId,
    server: webhookServer(http, vapi),
    fallbackDestination: fallbackDestination(wanted.fallbackNumber) ?? null,
  };
}

/** What of a Vapi number this service decides. */
export type VapiNumberSetting = 'name' | 'assistant' | 'server' | 'fallback';

/**
 * Which of our settings a Vapi number no longer holds as `numberSettings` would set them: the project's tag, the
 * agent's assistant, our webhook (its URL and secret header), the project's fallback.
 */
export function settingsDrift(
  http: HttpConfig,
  vapi: VapiConfig,
  found: Pick<VapiPhoneNumber, 'name' | 'assistantId' | 'server' | 'fallbackDestination'>,
  wanted: { name: string; assistantId: string; fallbackNumber: string | null },
): VapiNumberSetting[] {
  const server = webhookServer(http, vapi);
  const drift: VapiNumberSetting[] = [];
  if (found.name !== wanted.name) drift.push('name');
  if (found.assistantId !== wanted.assistantId) drift.push('assistant');
  if (found.server?.url !== server.url || found.server?.headers?.['x-vapi-secret'] !== vapi.webhookSecret)
    drift.push('server');
  if ((found.fallbackDestination?.number ?? null) !== wanted.fallbackNumber) drift.push('fallback');
  return drift;
}
