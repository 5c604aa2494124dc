import { SANDBOX_DEFAULTS } from '../../src/config/index.js';
import {
  startSandbox,
  type FaultSpec,
  type SandboxHandle,
  type SandboxOptions,
} from '../../src/sandbox/index.js';

/** A sandbox of its own for one test file: system-chosen port, default credentials, no latency. */
export function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<SandboxHandle> {
  return startSandbox({
    port: 0,
    twilioAccountSid: SANDBOX_DEFAULTS.twilioAccountSid,
    twilioAuthToken: SANDBOX_DEFAULTS.twilioAuthToken,
    vapiApiKey: SANDBOX_DEFAULTS.vapiApiKey,
    ...options,
  });
}

/** The sandbox's control panel, as a test drives it. */
export function sandboxControl(sandbox: Pick<SandboxHandle, 'controlUrl'>) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    reset: () => call('POST', '/reset'),
    fault: (spec: FaultSpec) => call('POST', '/faults', spec),
    clearFaults: () => call('DELETE', '/faults'),
    state: async () => (await call('GET', '/state')).body,
    addAssistant: (body: Record<string, unknown>) => call('POST', '/assistants', body),
    placeCall: (body: Record<string, unknown>) => call('POST', '/calls', body),
    traffic: (body: Record<string, unknown>) => call('PUT', '/traffic', body),
  };
}
