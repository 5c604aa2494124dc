import type { HttpConfig, VapiConfig } from '../../config/index.js';
import type { VapiFallbackDestination, VapiServerSettings } from '../voice-agent.port.js';

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
