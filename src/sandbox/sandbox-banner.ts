import type { SandboxHandle } from './sandbox.server.js';

/** What a person needs to point a client at the sandbox. The credentials are the sandbox's, not secrets. */
export function describeSandbox(sandbox: SandboxHandle): string {
  return [
    `Sandbox: local Twilio and Vapi emulators at ${sandbox.baseUrl}`,
    `  TWILIO_API_BASE_URL=${sandbox.twilioBaseUrl}`,
    `  TWILIO_ACCOUNT_SID=${sandbox.twilioAccountSid}`,
    `  TWILIO_AUTH_TOKEN=${sandbox.twilioAuthToken}`,
    `  TWILIO_SIP_TRUNK_SID=${sandbox.trunkSid}`,
    `  VAPI_BASE_URL=${sandbox.vapiBaseUrl}`,
    `  VAPI_API_KEY=${sandbox.vapiApiKey}`,
    `  VAPI_BYO_CREDENTIAL_ID=${sandbox.byoCredentialId}`,
    `  assistants: ${sandbox.assistantIds.join(', ')}`,
    `  dashboards (Twilio, Vapi, request log, calls, faults): ${sandbox.controlUrl}/`,
    `  control panel: ${sandbox.controlUrl} (GET /state, GET /requests, POST /reset, GET|POST|DELETE /faults, GET|PUT /traffic, POST /assistants, POST /calls)`,
    `  a fault's path is a glob (* = any characters, the rest literal), e.g. {"provider":"vapi","path":"/phone-number","status":503}`,
    `  local use only: no authentication; secrets in /state and /requests are shown as [redacted]`,
  ].join('\n');
}
