export {
  DEFAULT_SANDBOX_SEED,
  startSandbox,
  type SandboxHandle,
  type SandboxOptions,
} from './sandbox.server.js';
export type { FaultSpec, SandboxProvider } from './faults.js';
export type { SimulatedCall, SimulatedCallRequest, WebhookDelivery } from './vapi/simulated-call.js';
