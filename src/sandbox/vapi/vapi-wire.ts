import type { Request } from 'express';
import { VapiError } from './vapi-errors.js';

export interface VapiServer {
  url?: string;
  timeoutSeconds?: number;
  credentialId?: string;
  headers?: Record<string, string>;
  backoffPlan?: unknown;
}

export interface VapiAssistantRecord {
  id: string;
  orgId: string;
  name: string;
  firstMessage?: string;
  server?: VapiServer;
  createdAt: string;
  updatedAt: string;
}

export interface VapiCredentialRecord {
  id: string;
  orgId: string;
  provider: string;
  name?: string;
  gateways?: unknown[];
  authenticationPlan?: { type: string; token?: string; headerName?: string; bearerPrefixEnabled?: boolean };
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface VapiPhoneNumberRecord {
  id: string;
  orgId: string;
  provider: string;
  status: 'active' | 'activating' | 'blocked';
  number?: string;
  /** A `vapi` SIP number's URI. */
  sipUri?: string;
  name?: string;
  assistantId?: string | null;
  squadId?: string | null;
  workflowId?: string | null;
  server?: VapiServer;
  fallbackDestination?: unknown;
  hooks?: unknown[];
  credentialId?: string;
  numberE164CheckEnabled?: boolean;
  twilioAccountSid?: string;
  twilioAuthToken?: string;
  smsEnabled?: boolean;
  createdAt: string;
  updatedAt: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The record with the path's `:id`: 400 when the id is not a UUID, 404 when there is none, as Vapi answers. */
export function mustGet<T>(map: Map<string, T>, req: Request, what: string): T {
  const id = String(req.params.id);
  if (!UUID.test(id)) throw new VapiError(400, 'Validation failed (uuid is expected)');
  const found = map.get(id);
  if (!found) throw new VapiError(404, `${what} Not Found`);
  return found;
}

/** The `limit` query parameter (0 to 1000, 100 when absent) applied to a list. */
export function limit<T>(items: T[], req: Request): T[] {
  const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000) {
    throw new VapiError(400, ['limit must not be greater than 1000', 'limit must not be less than 0']);
  }
  return items.slice(0, limit);
}
