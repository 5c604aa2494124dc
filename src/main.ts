import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/index.js';
import { startRuntime } from './runtime.js';
import { armFailpoints } from './shared/failpoints/failpoints.js';
import { ReadinessRegistry } from './shared/health/readiness.registry.js';
import { developmentTokenNotice } from './tenancy/index.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The message for a port another process holds (this service's, or the in-process sandbox's). */
function portTaken(error: NodeJS.ErrnoException & { port?: number }): string {
  return (
    `Cannot start: port ${error.port ?? '?'} is taken (another copy of the service may be running). ` +
    'Choose others, e.g. PORT=3100 SANDBOX_PORT=4110 DATA_DIR=/tmp/numbers npm start'
  );
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let appConfig;
  try {
    appConfig = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`Cannot start: ${error.message}`);
    throw error;
  }

  armFailpoints(appConfig.numbers.failpoints);
  const pretty = process.stdout.isTTY === true;
  const runtime = await startRuntime(appConfig, {
    log: (line) => process.stdout.write(`${line}\n`),
    persistentSandbox: true,
  });
  const config = runtime.config;

  const app = await createApp(config, { prettyLogs: pretty });
  await runtime.openSandboxState();
  let server: Server;
  try {
    server = await app.listen(config.http.port, '0.0.0.0');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await app.close();
    await runtime.stop();
    fail(portTaken(error as NodeJS.ErrnoException));
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  process.stdout.write(`AfterHourFix Numbers listens on http://localhost:${port} (API docs at /docs)\n`);
  if (config.http.consoleEnabled) {
    process.stdout.write(`Console: http://localhost:${port}/console (CONSOLE_ENABLED=false turns it off)\n`);
  }
  process.stdout.write((await developmentTokenNotice(config.auth, `http://localhost:${port}`)) ?? '');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: finishing requests in flight, then stopping\n`);
    app.get(ReadinessRegistry).startDraining();
    const force = setTimeout(() => {
      process.stderr.write(`requests still running after ${config.http.shutdownGraceMs} ms; closing them\n`);
      server.closeAllConnections();
    }, config.http.shutdownGraceMs);
    force.unref();
    // Stop accepting and wait for requests in flight before anything they use (the database) closes;
    // keep-alive connections are closed as soon as they fall idle.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearInterval(idle);
    await app.close();
    await runtime.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(portTaken(error as NodeJS.ErrnoException));
  fail(`Cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
