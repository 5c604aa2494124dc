import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/index.js';
import { describeSandbox } from './sandbox-banner.js';
import { sandboxOptionsFrom, startSandbox } from './sandbox.server.js';
import { SandboxStateError } from './sandbox-store.js';

/**
 * `npm run sandbox`: the Twilio and Vapi emulators alone, for a service in live mode, a dashboard developer
 * or a test to point at. Prints the base URLs, the sandbox's (non-secret) credentials and the seeded ids. Its
 * state lives in `SANDBOX_DATA_DIR`, so a restart finds everything bought before.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Only the SANDBOX_* variables matter here; live credentials in .env must not switch the mode.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('SANDBOX_')));
  const { sandbox: s } = loadConfig({ ...env, PROVIDER_MODE: 'sandbox' }).providers;
  const handle = await startSandbox({ ...sandboxOptionsFrom(s), stateDir: s.dataDir });
  process.stdout.write(
    `${describeSandbox(handle)}\n  state: ${handle.stateDir} (SANDBOX_DATA_DIR; POST /__sandbox/reset empties it)\nPoint the service (PROVIDER_MODE=live, VAPI_WEBHOOK_SECRET=..., AUTH_JWT_SECRET=... of 32 characters or more) or any client at it with the variables above.\n`,
  );
  const stop = () => void handle.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  const message =
    error instanceof ConfigError || error instanceof SandboxStateError
      ? error.message
      : code === 'EADDRINUSE'
        ? `port ${port} is taken (another sandbox may be running); choose another with SANDBOX_PORT`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
  process.stderr.write(`Cannot start the sandbox: ${message}\n`);
  process.exit(1);
});
