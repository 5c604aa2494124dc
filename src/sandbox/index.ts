export {
  DEFAULT_SANDBOX_SEED,
  sandboxOptionsFrom,
  startSandbox,
  type RecordedRequest,
  type SandboxHandle,
  type SandboxOptions,
} from './sandbox.server.js';
export type { FaultSpec, SandboxProvider } from './faults.js';
export type { SimulatedCall, SimulatedCallRequest, WebhookDelivery } from './vapi/simulated-call.js';
export { describeSandbox } from './sandbox-banner.js';
