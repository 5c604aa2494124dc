/**
 * What the bench's scenarios share: the service and the sandbox as processes of their own, figures, and the
 * sandbox's request log read back per purchase.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { RecordedRequest } from '../src/sandbox/index.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The bench process's clock, on the same footing as the sandbox's request log (milliseconds since the epoch). */
export const now = () => performance.timeOrigin + performance.now();

/** Nearest-rank percentile of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * The flags `npm start` gives Node (package.json's `start`, `node <flags> dist/src/main.js`; the Dockerfile's `CMD`
 * carries the same, a test checks it), so that the bench measures the service as it is deployed: its memory
 * depends on them (V8's heap sizing).
 */
export function serviceNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const start = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/src\/main\.js$/.exec(pkg.scripts.start ?? '');
  if (!start)
    throw new Error(`package.json's start is not "node [--flag ...] dist/src/main.js": ${pkg.scripts.start}`);
  return start[1]!.split(' ').filter(Boolean);
}

/** A child process of the bench, its output kept for when it fails, its peak memory read from /proc. */
export interface Child {
  process: ChildProcess;
  output(): string;
  /** Peak resident set size so far, in MiB (Linux's VmHWM), or null where /proc is missing. */
  peakRssMiB(): number | null;
  stop(): Promise<void>;
}

/** Spawns `node <script>` with `env` and waits for a line matching `ready` (its first group is returned). */
export async function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  nodeArgs: string[] = [],
  timeoutMs = 90_000,
): Promise<{ child: Child; match: string }> {
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let peak: number | null = null;
  const readPeak = () => {
    try {
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
      if (Number.isFinite(kb)) peak = Math.max(peak ?? 0, kb / 1024);
    } catch {
      // Gone already, or no /proc: keep the last reading.
    }
    return peak;
  };
  const child: Child = {
    process: proc,
    output: () => output,
    peakRssMiB: () => {
      const value = readPeak();
      return value === null ? null : round(value);
    },
    async stop() {
      readPeak();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const match = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), timeoutMs);
    const onData = () => {
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(found[1] ?? found[0]);
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${proc.exitCode} before it was ready:\n${output}`));
    });
  });
  return { child, match };
}

/** A bearer token for `tenant`, signed with the service's HS256 secret. */
export async function tokenFor(secret: string, tenant: string): Promise<string> {
  const jwt = await new SignJWT({ tenant_id: tenant })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`bench-${tenant}`)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
  return `Bearer ${jwt}`;
}

/** The sandbox's control panel. */
export function sandboxControl(controlUrl: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    traffic: (body: unknown) => call<unknown>('PUT', '/traffic', body),
    load: () =>
      call<Record<'twilio' | 'vapi', { peakInFlight: number; rejected: number; received: number }>>(
        'GET',
        '/traffic',
      ),
    requests: () => call<RecordedRequest[]>('GET', '/requests'),
  };
}

/** What the service answered about one number, as far as attribution needs it. */
export interface NumberIds {
  id: string;
  e164: string | null;
  twilioSid: string | null;
  vapiNumberId: string | null;
}

/** The total length of the union of intervals: provider calls in parallel count once. */
export function unionLength(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

/**
 * The provider requests of each number, from the sandbox's log: the purchase carries `ahf:<number id>` as its
 * FriendlyName, later Twilio requests name the SID, Vapi's registration the E.164 number, its read-back the Vapi id.
 */
export function requestsByNumber(
  requests: RecordedRequest[],
  numbers: NumberIds[],
): Map<string, RecordedRequest[]> {
  const byKey = new Map<string, string>();
  for (const n of numbers) {
    byKey.set(`ahf:${n.id}`, n.id);
    if (n.e164) byKey.set(n.e164, n.id);
    if (n.twilioSid) byKey.set(n.twilioSid, n.id);
    if (n.vapiNumberId) byKey.set(n.vapiNumberId, n.id);
  }
  const found = new Map<string, RecordedRequest[]>();
  for (const r of requests) {
    const body = (r.body ?? {}) as Record<string, unknown>;
    const query = (r.query ?? {}) as Record<string, unknown>;
    const sid = /(PN[0-9a-f]{32})/.exec(r.path)?.[1];
    const vapiId = /\/phone-number\/([0-9a-f-]{36})/.exec(r.path)?.[1];
    const keys = [body.FriendlyName, query.FriendlyName, sid, body.number, query.search, vapiId];
    const id = keys.map((k) => (typeof k === 'string' ? byKey.get(k) : undefined)).find(Boolean);
    if (!id) continue;
    if (!found.has(id)) found.set(id, []);
    found.get(id)!.push(r);
  }
  return found;
}
