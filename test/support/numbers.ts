import { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import { PhoneNumber } from '../../src/numbers/phone-number.entity.js';
import type { PhoneNumberResponse } from '../../src/numbers/phone-number.response.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { TenantScope } from '../../src/tenancy/index.js';
import { liveProviderEnv } from './sandbox.js';
import type { TestApp } from './test-app.js';
import { bearer } from './tokens.js';

/** Outbox timings that keep provisioning tests fast: immediate wake-ups, short backoff. */
export const FAST_PROVISIONING_ENV: Record<string, string> = {
  OUTBOX_POLL_INTERVAL_MS: '50',
  OUTBOX_BACKOFF_BASE_MS: '20',
  OUTBOX_BACKOFF_MAX_MS: '100',
  OUTBOX_MAX_ATTEMPTS: '5',
  PROVISIONING_WAIT_MS: '15000',
  PUBLIC_BASE_URL: 'https://numbers.example.test',
  TENANT_PURCHASES_PER_MINUTE: '1000',
  TENANT_SEARCHES_PER_MINUTE: '1000',
  TENANT_AGENT_CREATIONS_PER_MINUTE: '1000',
};

/** The fields of a number in a search's answer: those promised to the dashboard, and those added since. */
export const OFFERED_NUMBER_FIELDS = [
  'addressRequired',
  'capabilities',
  'country',
  'e164',
  'friendlyName',
  'locality',
  'postalCode',
  'region',
];

export interface TenantProject {
  auth: string;
  projectId: string;
  agentId: string;
  assistantId: string;
}

/** A tenant with a project (fallback to the customer's phone) and an agent on one of the sandbox's assistants. */
export async function tenantWithProject(
  t: TestApp,
  tenant: string,
  fallbackNumber: string | null = '+14155550199',
  assistantId = (t.sandbox as SandboxHandle).assistantIds[0],
): Promise<TenantProject> {
  const http = request(t.app.getHttpServer());
  const auth = await bearer(t.config, tenant);
  const project = await http
    .post('/api/projects')
    .set('Authorization', auth)
    .send({ name: `Project of ${tenant}`, ...(fallbackNumber ? { fallbackNumber } : {}) })
    .expect(201);
  const agent = await request(t.app.getHttpServer())
    .post(`/api/projects/${project.body.id}/agents`)
    .set('Authorization', auth)
    .send({ name: 'Receptionist', vapiAssistantId: assistantId })
    .expect(201);
  return { auth, projectId: project.body.id, agentId: agent.body.id, assistantId };
}

/** Polls a number until `done` holds (or fails after `timeoutMs`), returning the last answer. */
export async function waitForNumber(
  t: TestApp,
  auth: string,
  id: string,
  done: (body: PhoneNumberResponse) => boolean,
  timeoutMs = 15_000,
): Promise<PhoneNumberResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(t.app.getHttpServer())
      .get(`/api/numbers/${id}`)
      .set('Authorization', auth)
      .expect(200);
    if (done(res.body) || Date.now() > deadline) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The environment of a second instance of the service that shares a first one's providers and tokens: live mode
 * pointed at the first instance's sandbox, with the same signing secret and webhook secret.
 */
export function secondInstanceEnv(first: TestApp): Record<string, string> {
  return {
    ...FAST_PROVISIONING_ENV,
    ...liveProviderEnv(first.sandbox as SandboxHandle, {
      webhookSecret: first.config.providers.vapi.webhookSecret,
      jwtSecret: first.config.auth.jwtSecret!,
    }),
  };
}

/** The tenant id (our UUID) of a project, read past row-level security as the database owner. */
export async function tenantIdOf(t: TestApp, projectId: string): Promise<string> {
  const [row] = await t.ownerQuery<{ tenant_id: string }>('select tenant_id from project where id = $1', [
    projectId,
  ]);
  return row!.tenant_id;
}

/** Runs `work` in a tenant's scope, as the outbox relay runs a step: the way a use case is called for real. */
export function inTenant<T>(t: TestApp, tenantId: string, work: () => Promise<T>): Promise<T> {
  return t.app.get(TenantScope).run(tenantId, work);
}

/**
 * A number's row, brought to a step by the aggregate's own transitions (`steps` is called on it before it is
 * stored) and saved in the tenant's scope: the state a step finds when the flow reaches it.
 */
export async function storedNumber(
  t: TestApp,
  owner: { tenantId: string; projectId: string; agentId: string },
  steps: (number: PhoneNumber) => void = () => undefined,
): Promise<PhoneNumber> {
  return inTenant(t, owner.tenantId, async () => {
    const number = new PhoneNumber({ ...owner, areaCode: '205', requestedNumber: null });
    steps(number);
    await t.app.get(EntityManager).persist(number).flush();
    return number;
  });
}

/** A number's row as it is now, read in the tenant's scope. */
export function reloadNumber(t: TestApp, tenantId: string, id: string): Promise<PhoneNumber> {
  return inTenant(t, tenantId, () => t.app.get(EntityManager).findOneOrFail(PhoneNumber, id));
}
