/**
 * `npm run bench`: how fast one-click provisioning is, end to end over HTTP, against the sandbox with
 * realistic provider latency. Bounded (PURCHASES requests, CONCURRENCY at a time), only to 127.0.0.1, and it
 * stops by itself. Prints latency percentiles, throughput and memory; exits 1 if any purchase failed.
 *
 *   BENCH_PURCHASES=100 BENCH_CONCURRENCY=10 BENCH_TWILIO_LATENCY_MS=80 BENCH_VAPI_LATENCY_MS=120 npm run bench
 *
 * Runs on a fresh database of its own: created on the server at DATABASE_URL (and dropped after) when it is set,
 * else an in-memory embedded database.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/index.js';
import { startRuntime } from '../src/runtime.js';
import { createTestDatabase } from '../src/shared/testing/test-database.js';
import { mintToken } from '../src/tenancy/auth/development-token.js';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PURCHASES = int('BENCH_PURCHASES', 60);
const CONCURRENCY = int('BENCH_CONCURRENCY', 6);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    PORT: '0',
    SANDBOX_PORT: '0',
    SANDBOX_TWILIO_LATENCY_MS: String(int('BENCH_TWILIO_LATENCY_MS', 80)),
    SANDBOX_VAPI_LATENCY_MS: String(int('BENCH_VAPI_LATENCY_MS', 120)),
    TENANT_MAX_NUMBERS: String(PURCHASES + 1),
    TENANT_PURCHASES_PER_MINUTE: String(PURCHASES + 1),
    OUTBOX_POLL_INTERVAL_MS: '200',
    DATABASE_URL: database.url,
  });
  const runtime = await startRuntime(config);
  const app = await createApp(runtime.config);
  const server: Server = await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const auth = `Bearer ${await mintToken(runtime.config.auth, { tenant: 'bench-tenant', userId: 'bench' })}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { Authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: string } };
  };

  try {
    const project = await post('/api/projects', { name: 'Bench', fallbackNumber: '+14155550199' });
    const agent = await post(`/api/projects/${project.body.id}/agents`, {
      name: 'Bench agent',
      vapiAssistantId: runtime.sandbox!.assistantIds[0],
    });
    const areaCodes = ['205', '212', '312', '415', '512', '256'];
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PURCHASES) {
          const i = next++;
          const t0 = performance.now();
          const res = await post('/api/numbers', {
            projectId: project.body.id,
            agentId: agent.body.id,
            areaCode: areaCodes[i % areaCodes.length],
          });
          latencies.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const memory = process.memoryUsage();
    const report = {
      purchases: PURCHASES,
      concurrency: CONCURRENCY,
      database: database.kind,
      statuses: Object.fromEntries(statuses),
      throughputPerSecond: Number((PURCHASES / seconds).toFixed(2)),
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies[latencies.length - 1]),
      },
      rssMiB: Math.round(memory.rss / 2 ** 20),
      heapUsedMiB: Math.round(memory.heapUsed / 2 ** 20),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = statuses.get(201) === PURCHASES ? 0 : 1;
  } finally {
    await app.close();
    await runtime.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
