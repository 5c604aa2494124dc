/**
 * `npm run bench`: what the service adds to the one click, a burst under Twilio's rate limit, reads at scale,
 * search, and memory (issue 11). The service runs as its own process (`node <npm start's flags> dist/src/main.js`,
 * live mode) against the sandbox as another (`node dist/src/sandbox/cli.js`); the load comes from this process, so
 * neither the emulators nor the load generator count in the service's CPU or memory. Traffic goes to 127.0.0.1
 * only, every scenario is bounded in count and time, and it stops by itself. Results:
 * `bench/results/<timestamp>.json` and `.md` (git-ignored), and the table on stdout.
 *
 *   npm run bench                          # every scenario, full counts (a few minutes)
 *   npm run bench -- overhead reads        # some scenarios: overhead, burst, reads, search (memory is always read)
 *   npm run bench -- --quick               # small counts, for a quick look
 *   npm run bench -- burst --burst=200 --latency=50
 *   npm run bench -- reads --cpu-prof      # the service's CPU profile in bench/results/profiles/
 *
 * On the PostgreSQL server at DATABASE_URL when set (a fresh database, dropped after), else on an embedded one.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { SANDBOX_DEFAULTS } from '../src/config/index.js';
import type { RecordedRequest } from '../src/sandbox/index.js';
import { createTestDatabase } from '../src/shared/testing/test-database.js';
import { sequentialRoundTrips } from '../test/support/sandbox.js';
import { explainList, READS_TENANT, seedReads, startBaseline, type SeededReads } from './reads.js';
import {
  now,
  percentile,
  requestsByNumber,
  ROOT,
  round,
  sandboxControl,
  serviceNodeFlags,
  startChild,
  tokenFor,
  unionLength,
  type Child,
  type NumberIds,
} from './support.js';

const SCENARIOS = ['overhead', 'burst', 'reads', 'search'] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseArgs(argv: string[]) {
  const flags = new Map<string, string>();
  const chosen: Scenario[] = [];
  for (const arg of argv) {
    const flag = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
    if (flag) flags.set(flag[1]!, flag[2] ?? 'true');
    else if ((SCENARIOS as readonly string[]).includes(arg)) chosen.push(arg as Scenario);
    else
      throw new Error(`unknown argument ${arg}; scenarios: ${SCENARIOS.join(', ')}; flags: --quick, --x=N`);
  }
  const quick = flags.has('quick');
  // The service's CPU profile (`node --cpu-prof`), one file per service process, for a flame graph.
  const cpuProf = flags.has('cpu-prof');
  const int = (name: string, full: number, small: number) => {
    const value = Number(flags.get(name) ?? (quick ? small : full));
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number`);
    return value;
  };
  return {
    scenarios: chosen.length > 0 ? chosen : [...SCENARIOS],
    serviceNodeArgs: [
      ...serviceNodeFlags(),
      ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results', 'profiles')}`] : []),
    ],
    settings: {
      latencyMs: int('latency', 100, 100),
      sequentialPurchases: int('sequential', 40, 10),
      concurrentPurchases: int('concurrent', 150, 50),
      concurrency: int('concurrency', 50, 25),
      burstPurchases: int('burst', 500, 100),
      burstTenants: int('burst-tenants', 50, 10),
      twilioLimit: int('twilio-limit', 20, 20),
      readsTenants: int('reads-tenants', 1_000, 100),
      readsNumbers: int('reads-numbers', 100_000, 10_000),
      readsBigProject: int('reads-big-project', 10_000, 2_000),
      readsSeconds: int('reads-seconds', 5, 2),
      readsConnections: int('reads-connections', 10, 10),
      searches: int('searches', 60, 15),
    },
  };
}
type Settings = ReturnType<typeof parseArgs>['settings'];

/** Geographic area codes the sandbox stocks (none of its sold-out ones), spread so that no stock runs out. */
const AREA_CODES = (
  '205 212 312 415 512 256 213 214 303 305 404 503 602 617 702 713 718 720 813 816 901 916 919 206 210 215 ' +
  '216 301 302 304 310 313 314 316 317 319 320 321 330 334 336 337 347 351 352 360 361 385 386 401 402 405'
).split(' ');

/** Twilio requests of a first-attempt purchase: `POST IncomingPhoneNumbers`, then the activation's `GET` of it. */
const FIRST_ATTEMPT_TWILIO_CALLS = 2;

const JWT_SECRET = 'bench-only-secret-of-at-least-32-characters!';
const WEBHOOK_SECRET = 'bench-only-webhook-secret-of-32-characters!';

interface Stack {
  sandbox: Child;
  controlUrl: string;
  sandboxUrl: string;
  databaseUrl: string;
}

async function startSandboxProcess(dataDir: string): Promise<{ child: Child; url: string }> {
  const { child, match } = await startChild(
    'sandbox',
    'dist/src/sandbox/cli.js',
    { SANDBOX_PORT: '0', SANDBOX_DATA_DIR: dataDir, SANDBOX_REQUEST_LOG_SIZE: '100000' },
    /emulators at (http:\/\/127\.0\.0\.1:\d+)/,
  );
  return { child, url: match };
}

async function startService(
  stack: Stack,
  env: Record<string, string>,
  nodeArgs: string[],
): Promise<{ child: Child; url: string }> {
  const { child, match } = await startChild(
    'service',
    'dist/src/main.js',
    {
      NODE_ENV: 'development',
      PROVIDER_MODE: 'live',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: stack.databaseUrl,
      TWILIO_API_BASE_URL: `${stack.sandboxUrl}/twilio`,
      TWILIO_ACCOUNT_SID: SANDBOX_DEFAULTS.twilioAccountSid,
      TWILIO_AUTH_TOKEN: SANDBOX_DEFAULTS.twilioAuthToken,
      VAPI_BASE_URL: `${stack.sandboxUrl}/vapi`,
      VAPI_API_KEY: SANDBOX_DEFAULTS.vapiApiKey,
      VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
      AUTH_JWT_SECRET: JWT_SECRET,
      PUBLIC_BASE_URL: 'https://numbers.bench.example',
      TENANT_MAX_NUMBERS: '100000',
      TENANT_PURCHASES_PER_MINUTE: '10000',
      TENANT_SEARCHES_PER_MINUTE: '10000',
      TENANT_AGENT_CREATIONS_PER_MINUTE: '10000',
      ...env,
    },
    /listens on (http:\/\/localhost:\d+)/,
    nodeArgs,
  );
  return { child, url: match.replace('localhost', '127.0.0.1') };
}

/** A tenant with a project and an agent on the sandbox's first assistant. */
async function tenantWithProject(base: string, tenant: string) {
  const auth = await tokenFor(JWT_SECRET, tenant);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const project = await post('/api/projects', { name: `Bench ${tenant}`, fallbackNumber: '+14155550199' });
  const agent = await post(`/api/projects/${project.id}/agents`, {
    name: 'Bench agent',
    vapiAssistantId: 'ecf7f28b-493b-4edd-91d9-b7360484c6a7',
  });
  return { auth, projectId: project.id, agentId: agent.id };
}
type Tenant = Awaited<ReturnType<typeof tenantWithProject>>;

interface PurchaseResult {
  startedAt: number;
  endedAt: number;
  status: number;
  finalStatus: string | null;
  number: NumberIds | null;
}

/** One click: POST /api/numbers, then (on a 202) the number's page until it is live or failed. */
async function purchase(
  base: string,
  t: Tenant,
  areaCode: string,
  deadline: number,
): Promise<PurchaseResult> {
  const startedAt = now();
  try {
    const res = await fetch(`${base}/api/numbers`, {
      method: 'POST',
      headers: { authorization: t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ projectId: t.projectId, agentId: t.agentId, areaCode }),
    });
    const body = (await res.json()) as { phoneNumber?: NumberIds & { status: string } };
    let n = body.phoneNumber ?? null;
    while (
      res.status === 202 &&
      n &&
      !['active', 'failed', 'refused'].includes(n.status) &&
      now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = await fetch(`${base}/api/numbers/${n.id}`, { headers: { authorization: t.auth } });
      n = (await again.json()) as NumberIds & { status: string };
    }
    return { startedAt, endedAt: now(), status: res.status, finalStatus: n?.status ?? null, number: n };
  } catch {
    return { startedAt, endedAt: now(), status: 0, finalStatus: null, number: null };
  }
}

/** Runs `count` purchases, `concurrency` at a time, round-robin over tenants and area codes. */
async function purchases(base: string, tenants: Tenant[], count: number, concurrency: number) {
  const results: PurchaseResult[] = [];
  const deadline = now() + 180_000;
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results.push(
          await purchase(base, tenants[i % tenants.length]!, AREA_CODES[i % AREA_CODES.length]!, deadline),
        );
      }
    }),
  );
  return { results, seconds: (now() - started) / 1000 };
}

/** Per purchase: its latency, the providers' time on its critical path, their round trips in sequence. */
function attribute(results: PurchaseResult[], log: RecordedRequest[]) {
  const numbers = results.map((r) => r.number).filter((n): n is NumberIds => n !== null);
  const byNumber = requestsByNumber(log, numbers);
  return results
    .filter((r) => r.number && r.finalStatus === 'active')
    .map((r) => {
      const made = byNumber.get(r.number!.id) ?? [];
      const providerMs = unionLength(made.map((q) => [q.startedAt, q.endedAt ?? q.startedAt]));
      const latencyMs = r.endedAt - r.startedAt;
      const overheadMs = latencyMs - providerMs;
      // Where our time goes: before the first provider call (the request, the record, the relay's first hop),
      // after the last one (the activation's commit and the click's wake-up), and between calls (the steps' hops).
      const firstStart = Math.min(...made.map((q) => q.startedAt));
      const lastEnd = Math.max(...made.map((q) => q.endedAt ?? q.startedAt));
      const beforeMs = made.length > 0 ? firstStart - r.startedAt : 0;
      const afterMs = made.length > 0 ? r.endedAt - lastEnd : 0;
      return {
        latencyMs,
        providerMs,
        overheadMs,
        beforeMs,
        betweenMs: overheadMs - beforeMs - afterMs,
        afterMs,
        roundTrips: sequentialRoundTrips(made),
        twilioCalls: made.filter((q) => q.provider === 'twilio').length,
        calls: made.length,
      };
    });
}

const summary = (values: number[]) => ({
  p50: round(percentile(values, 50)),
  p99: round(percentile(values, 99)),
  max: round(Math.max(...values)),
});

async function overheadScenario(base: string, control: ReturnType<typeof sandboxControl>, s: Settings) {
  const L = s.latencyMs;
  await control.traffic({
    twilio: { latencyMs: L, concurrencyLimit: 0 },
    vapi: { latencyMs: L, concurrencyLimit: 0 },
  });
  const tenants = await Promise.all(
    Array.from({ length: 10 }, (_, i) => tenantWithProject(base, `overhead-${i}`)),
  );
  // Warm-up: the first requests compile code paths and open connections.
  await purchases(base, tenants, 5, 5);
  const runs = [];
  for (const [count, concurrency] of [
    [s.sequentialPurchases, 1],
    [s.concurrentPurchases, s.concurrency],
  ] as const) {
    const { results, seconds } = await purchases(base, tenants, count, concurrency);
    const attributed = attribute(results, await control.requests());
    const criticalPathMs = percentile(
      attributed.map((a) => a.providerMs),
      50,
    );
    const throughput = results.filter((r) => r.finalStatus === 'active').length / seconds;
    const allowed = concurrency / (criticalPathMs / 1000);
    runs.push({
      concurrency,
      purchases: count,
      completed: attributed.length,
      statuses: countBy(results.map((r) => String(r.status))),
      latencyMs: summary(attributed.map((a) => a.latencyMs)),
      providerMs: summary(attributed.map((a) => a.providerMs)),
      overheadMs: summary(attributed.map((a) => a.overheadMs)),
      overheadParts: {
        beforeFirstCallMs: summary(attributed.map((a) => a.beforeMs)),
        betweenCallsMs: summary(attributed.map((a) => a.betweenMs)),
        afterLastCallMs: summary(attributed.map((a) => a.afterMs)),
      },
      roundTripsOnCriticalPath: summary(attributed.map((a) => a.roundTrips)).p50,
      providerCallsPerPurchase: summary(attributed.map((a) => a.calls)).p50,
      throughputPerSecond: round(throughput, 2),
      providersAllowPerSecond: round(allowed, 2),
      throughputShare: round(throughput / allowed, 3),
    });
  }
  return { latencyMs: L, runs };
}

async function burstScenario(base: string, control: ReturnType<typeof sandboxControl>, s: Settings) {
  const L = s.latencyMs;
  const tenants = await Promise.all(
    Array.from({ length: s.burstTenants }, (_, i) => tenantWithProject(base, `burst-${i}`)),
  );
  await control.traffic({
    twilio: { latencyMs: L, concurrencyLimit: s.twilioLimit },
    vapi: { latencyMs: L, concurrencyLimit: 0 },
  });
  const { results, seconds } = await purchases(base, tenants, s.burstPurchases, s.burstPurchases);
  const load = await control.load();
  // The Twilio calls of a completed purchase; when none completed, the first attempt's floor: the purchase and the
  // activation's read-back.
  const completed = attribute(results, await control.requests());
  const twilioCallsPerPurchase =
    completed.length > 0
      ? percentile(
          completed.map((a) => a.twilioCalls),
          50,
        )
      : FIRST_ATTEMPT_TWILIO_CALLS;
  const minimumSeconds = (s.burstPurchases * twilioCallsPerPurchase * L) / 1000 / s.twilioLimit;
  const live = results.filter((r) => r.finalStatus === 'active');
  const e164s = live.map((r) => r.number!.e164);
  return {
    purchases: s.burstPurchases,
    tenants: s.burstTenants,
    twilioLimit: s.twilioLimit,
    latencyMs: L,
    completionSeconds: round(seconds, 2),
    minimumSeconds: round(minimumSeconds, 2),
    ratioToMinimum: round(seconds / minimumSeconds, 2),
    twilioCallsPerPurchase,
    failures: results.length - live.length,
    duplicates: e164s.length - new Set(e164s).size,
    statuses: countBy(results.map((r) => String(r.status))),
    twilioPeakInFlight: load.twilio.peakInFlight,
    twilio429s: load.twilio.rejected,
    latencyS: summary(results.map((r) => (r.endedAt - r.startedAt) / 1000)),
  };
}

async function readsScenario(
  base: string,
  databaseUrl: string,
  seeded: SeededReads,
  s: Settings,
  poolSize: number,
) {
  const auth = await tokenFor(JWT_SECRET, READS_TENANT);
  const baseline = await startBaseline(databaseUrl, seeded, poolSize);
  const pages = {
    firstPage: '',
    deepPage: `cursor=${seeded.deepCursor}`,
  };
  const measure = async (url: string, headers: Record<string, string>) => {
    await autocannon({ url, connections: s.readsConnections, amount: 200, headers }); // warm-up
    const r = await autocannon({ url, connections: s.readsConnections, duration: s.readsSeconds, headers });
    return {
      requestsPerSecond: round(r.requests.total / r.duration, 1),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
    };
  };
  try {
    const page = async (query: string) => {
      const service = await measure(`${base}/api/projects/${seeded.projectId}/numbers?${query}`, {
        authorization: auth,
      });
      const baselineFigures = await measure(`${baseline.url}/list?${query}`, {});
      return {
        service,
        baseline: baselineFigures,
        ratio: round(service.requestsPerSecond / baselineFigures.requestsPerSecond, 3),
      };
    };
    return {
      seeded: { ...seeded, deepCursor: undefined },
      connections: s.readsConnections,
      seconds: s.readsSeconds,
      firstPage: await page(pages.firstPage),
      deepPage: await page(pages.deepPage),
      explain: await explainList(databaseUrl, seeded),
    };
  } finally {
    await baseline.stop();
  }
}

async function searchScenario(base: string, control: ReturnType<typeof sandboxControl>, s: Settings) {
  const L = s.latencyMs;
  await control.traffic({
    twilio: { latencyMs: L, concurrencyLimit: 0 },
    vapi: { latencyMs: L, concurrencyLimit: 0 },
  });
  const t = await tenantWithProject(base, 'search');
  const rows: { latencyMs: number; providerMs: number }[] = [];
  for (let i = 0; i < s.searches + 3; i++) {
    const areaCode = AREA_CODES[i % AREA_CODES.length]!;
    const startedAt = now();
    const res = await fetch(`${base}/api/numbers?areaCode=${areaCode}&limit=20`, {
      headers: { authorization: t.auth },
    });
    await res.arrayBuffer();
    const endedAt = now();
    if (res.status !== 200) throw new Error(`search ${areaCode}: ${res.status}`);
    if (i < 3) continue; // warm-up
    rows.push({ latencyMs: endedAt - startedAt, providerMs: 0 });
    (rows.at(-1) as { window?: [number, number] } & (typeof rows)[number]).window = [startedAt, endedAt];
  }
  // One search at a time: its Twilio requests are those of its window.
  const log = (await control.requests()).filter(
    (r) => r.provider === 'twilio' && r.path.includes('AvailablePhoneNumbers'),
  );
  for (const row of rows as ({ window: [number, number] } & (typeof rows)[number])[]) {
    const made = log.filter((r) => r.startedAt >= row.window[0] && (r.endedAt ?? Infinity) <= row.window[1]);
    row.providerMs = unionLength(made.map((r) => [r.startedAt, r.endedAt!]));
  }
  return {
    latencyMs: L,
    searches: rows.length,
    latency: summary(rows.map((r) => r.latencyMs)),
    p99MinusL: round(
      percentile(
        rows.map((r) => r.latencyMs),
        99,
      ) - L,
    ),
    overheadMs: summary(rows.map((r) => r.latencyMs - r.providerMs)),
  };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

async function machine(databaseUrl: string) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ version: string }>('select version()');
  await client.end();
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? null,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
    platform: `${os.type()} ${os.release()}`,
    versions: {
      node: process.version,
      postgres: rows[0]!.version,
      nestjs: pkg.dependencies['@nestjs/core'],
      mikroOrm: pkg.dependencies['@mikro-orm/core'],
      pg: pkg.dependencies.pg,
      twilio: pkg.dependencies.twilio,
    },
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: (git(['status', '--porcelain']) ?? '') !== '',
  };
}

/** The table, in Markdown: each figure beside its floor, baseline or target. */
interface Report {
  startedAt: string;
  database: string;
  scenarios: Scenario[];
  settings: Settings & { service?: Record<string, unknown> };
  machine: Awaited<ReturnType<typeof machine>>;
  overhead?: Awaited<ReturnType<typeof overheadScenario>>;
  search?: Awaited<ReturnType<typeof searchScenario>>;
  reads?: Awaited<ReturnType<typeof readsScenario>>;
  burst?: Awaited<ReturnType<typeof burstScenario>>;
  memory?: {
    servicePeakRssMiB: number;
    perServiceProcess: (number | null)[];
    sandboxPeakRssMiB: number | null;
  };
  seconds?: number;
}

function table(report: Report): string {
  const lines: string[] = [];
  const row = (...cells: unknown[]) => lines.push(`| ${cells.join(' | ')} |`);
  const m = report.machine;
  lines.push(
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, load average ${m.loadAverageAtStart.join(' / ')} at start; ` +
      `Node ${m.versions.node}, ${String(m.versions.postgres).split(' on ')[0]} (${report.database}); commit ${m.commit}${m.dirty ? ' (dirty)' : ''}.`,
    '',
  );
  row('scenario', 'measure', 'value', 'floor / baseline', 'target');
  row('---', '---', '---', '---', '---');
  for (const run of report.overhead?.runs ?? []) {
    const c = `overhead, concurrency ${run.concurrency} (${run.completed}/${run.purchases}, L=${report.overhead!.latencyMs} ms)`;
    const target = run.concurrency === 1 ? ['≤ 10 ms', '≤ 25 ms'] : ['', '≤ 100 ms'];
    row(
      c,
      'our time p50',
      `${run.overheadMs.p50} ms`,
      `providers ${run.providerMs.p50} ms (${run.roundTripsOnCriticalPath} round trips)`,
      target[0],
    );
    row(c, 'our time p99', `${run.overheadMs.p99} ms`, `end to end p99 ${run.latencyMs.p99} ms`, target[1]);
    const parts = run.overheadParts;
    row(
      c,
      'our time p50: before, between, after the provider calls',
      `${parts.beforeFirstCallMs.p50} / ${parts.betweenCallsMs.p50} / ${parts.afterLastCallMs.p50} ms`,
      '',
      '',
    );
    row(
      c,
      'throughput',
      `${run.throughputPerSecond}/s`,
      `providers allow ${run.providersAllowPerSecond}/s (${Math.round(run.throughputShare * 100)} %)`,
      run.concurrency === 1 ? '' : '≥ 80 %',
    );
  }
  const b = report.burst;
  if (b) {
    const c = `burst: ${b.purchases} across ${b.tenants} tenants, Twilio limit ${b.twilioLimit}`;
    row(
      c,
      'completion',
      `${b.completionSeconds} s`,
      `minimum ${b.minimumSeconds} s (× ${b.ratioToMinimum})`,
      '≤ 1.3 ×',
    );
    row(
      c,
      'failures / duplicates',
      `${b.failures} / ${b.duplicates}`,
      `Twilio peak ${b.twilioPeakInFlight} at once, ${b.twilio429s} × 429`,
      '0 / 0',
    );
  }
  const r = report.reads;
  if (r) {
    for (const page of ['firstPage', 'deepPage'] as const) {
      const p = r[page];
      const c = `reads, ${page === 'firstPage' ? 'first page' : `deep page (row ${r.seeded.deepOffset})`}, ${r.connections} connections`;
      row(
        c,
        'requests/s',
        p.service.requestsPerSecond,
        `baseline ${p.baseline.requestsPerSecond} (${Math.round(p.ratio * 100)} %)`,
        '≥ 50 %',
      );
      row(c, 'p99', `${p.service.p99Ms} ms`, `baseline ${p.baseline.p99Ms} ms`, '≤ 20 ms');
    }
  }
  const s = report.search;
  if (s)
    row(
      `search, one at a time (L=${s.latencyMs} ms)`,
      'p99 − L',
      `${s.p99MinusL} ms`,
      `our time p50 ${s.overheadMs.p50} ms, p99 ${s.overheadMs.p99} ms`,
      '',
    );
  const memory = report.memory;
  if (memory) {
    const sandbox = `sandbox ${memory.sandboxPeakRssMiB} MiB (not counted)`;
    row('memory', 'service peak RSS', `${memory.servicePeakRssMiB} MiB`, sandbox, '≤ 250 MB');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { scenarios, settings, serviceNodeArgs } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'afterhourfix-bench-'));
  const sandbox = await startSandboxProcess(join(dataDir, 'sandbox'));
  const control = sandboxControl(`${sandbox.url}/__sandbox`);
  const stack: Stack = {
    sandbox: sandbox.child,
    controlUrl: `${sandbox.url}/__sandbox`,
    sandboxUrl: sandbox.url,
    databaseUrl: database.url,
  };
  const services: Child[] = [];
  const report: Report = {
    startedAt: startedAt.toISOString(),
    database: database.kind,
    scenarios,
    settings,
    machine: await machine(database.url),
  };
  const log = (text: string) =>
    process.stderr.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s] ${text}\n`);
  try {
    const main = await startService(
      stack,
      { DATA_DIR: join(dataDir, 'service'), TWILIO_MAX_CONCURRENCY: '200' },
      serviceNodeArgs,
    );
    services.push(main.child);
    report.settings.service = { DATABASE_POOL_SIZE: 10, TWILIO_MAX_CONCURRENCY: 200, OUTBOX: 'defaults' };
    if (scenarios.includes('overhead')) {
      log('overhead of one click');
      report.overhead = await overheadScenario(main.url, control, settings);
    }
    if (scenarios.includes('search')) {
      log('search');
      report.search = await searchScenario(main.url, control, settings);
    }
    if (scenarios.includes('reads')) {
      log(`reads: seeding ${settings.readsNumbers} numbers across ${settings.readsTenants} tenants`);
      const seeded = await seedReads(database.url, {
        tenants: settings.readsTenants,
        numbers: settings.readsNumbers,
        bigProject: settings.readsBigProject,
      });
      log(`reads: seeded in ${seeded.seconds.toFixed(1)} s; measuring`);
      report.reads = await readsScenario(main.url, database.url, seeded, settings, 10);
    }
    if (scenarios.includes('burst')) {
      // Its own service process, with the Twilio concurrency the burst is about.
      await main.child.stop();
      log(`burst: ${settings.burstPurchases} purchases at once, Twilio limited to ${settings.twilioLimit}`);
      const burst = await startService(
        stack,
        {
          DATA_DIR: join(dataDir, 'service'),
          TWILIO_MAX_CONCURRENCY: String(settings.twilioLimit),
          PROVISIONING_WAIT_MS: '60000',
        },
        serviceNodeArgs,
      );
      services.push(burst.child);
      report.burst = await burstScenario(burst.url, control, settings);
    }
  } finally {
    for (const s of services) await s.stop();
    report.memory = {
      servicePeakRssMiB: Math.max(...services.map((s) => s.peakRssMiB() ?? 0)),
      perServiceProcess: services.map((s) => s.peakRssMiB()),
      sandboxPeakRssMiB: sandbox.child.peakRssMiB(),
    };
    await sandbox.child.stop();
    await database.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  report.seconds = round((Date.now() - startedAt.getTime()) / 1000);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // What the processes printed (warnings and errors, LOG_LEVEL=warn), for when a figure needs explaining.
  services.forEach((s, i) => writeFileSync(join(dir, `${stamp}-service-${i + 1}.log`), s.output()));
  writeFileSync(join(dir, `${stamp}-sandbox.log`), sandbox.child.output());
  const md = table(report);
  writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const plans = report.reads
    ? `\n\n## EXPLAIN ANALYZE\n\n${Object.entries(report.reads.explain)
        .map(([page, plan]) => `${page}:\n\n\`\`\`\n${plan}\n\`\`\``)
        .join('\n\n')}\n`
    : '\n';
  writeFileSync(join(dir, `${stamp}.md`), `# npm run bench, ${report.startedAt}\n\n${md}${plans}`);
  process.stdout.write(`${md}\n\nResults: bench/results/${stamp}.json and .md\n`);
  const failed = (report.burst?.failures ?? 0) + (report.burst?.duplicates ?? 0);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
