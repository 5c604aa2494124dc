import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../../src/tenancy/auth/development-token.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_LINE = /listens on (http:\/\/localhost:\d+)/;

export interface ServiceProcess {
  /** The service's base URL, once it listens. */
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the service as its own process, from source, the way `npm start` runs the build: for what only a
 * real process shows (exit codes, signals, a crash at any instant). Without a `DATA_DIR` it gets one of its own
 * (the in-process sandbox keeps its state there), removed when it exits; a test that restarts the service on the
 * same data gives one.
 */
export function spawnService(env: Record<string, string | undefined>): {
  child: ChildProcess;
  output: () => string;
  exited: ServiceProcess['exited'];
} {
  const ownDataDir = 'DATA_DIR' in env ? undefined : mkdtempSync(join(tmpdir(), 'afterhourfix-service-'));
  if (ownDataDir) env = { ...env, DATA_DIR: ownDataDir };
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      PORT: '0',
      SANDBOX_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

/** Spawns the service and waits until it listens. */
export async function startService(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const spawned = spawnService(env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start:\n${spawned.output()}`)),
      timeoutMs,
    );
    const onData = () => {
      const match = READY_LINE.exec(spawned.output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    spawned.child.stdout!.on('data', onData);
    void spawned.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${spawned.output()}`));
    });
  });
  return { url, ...spawned };
}

/** A TCP port free right now, for a service that must keep the same port across a restart. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A bearer header for a tenant, signed with the secret a service process was started with (`AUTH_JWT_SECRET`). */
export async function bearerFor(jwtSecret: string, tenant: string): Promise<string> {
  return `Bearer ${await mintToken({ jwtSecret, tenantClaim: 'tenant_id' }, { tenant, userId: 'u' })}`;
}

/**
 * Calls a service process's API with a bearer header, JSON both ways; the body is read loosely, as `T` (only the
 * fields a test looks at). Rejects when the connection fails (a process killed mid-request).
 */
export async function callService<T = Record<string, unknown>>(
  service: Pick<ServiceProcess, 'url'>,
  auth: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { Authorization: auth, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A project (its fallback the customer's phone) and an agent on `assistantId`, made through a service's API. */
export async function projectWithAgent(
  call: (method: string, path: string, body?: unknown) => Promise<{ body: { id: string } }>,
  assistantId: string,
): Promise<{ projectId: string; agentId: string }> {
  const projectId = (await call('POST', '/api/projects', { name: 'Crash', fallbackNumber: '+14155550199' }))
    .body.id;
  const agentId = (
    await call('POST', `/api/projects/${projectId}/agents`, { name: 'A', vapiAssistantId: assistantId })
  ).body.id;
  return { projectId, agentId };
}
