import type { SandboxIds } from '../sandbox-ids.js';
import type { VapiEmulator } from './vapi-emulator.js';
import { VapiError } from './vapi-errors.js';
import type { VapiServer } from './vapi-wire.js';

export interface SimulatedCallRequest {
  to: string;
  from?: string;
  durationSeconds?: number;
  endedReason?: string;
}

export interface WebhookDelivery {
  type: string;
  url: string;
  /** HTTP status of the service's answer; null when it could not be reached or timed out. */
  status: number | null;
  response: unknown;
  error?: string;
}

export interface SimulatedCall {
  call: Record<string, unknown>;
  endedReason: string;
  deliveries: WebhookDelivery[];
}

/**
 * How long the emulated Vapi waits for the answer to `assistant-request` before it gives up: 7.5 s, fixed, as
 * https://docs.vapi.ai/server-url/events documents.
 */
const ASSISTANT_REQUEST_DEADLINE_MS = 7_500;
const COST_PER_MINUTE = 0.05;

/**
 * What Vapi sends to the number's server URL when someone calls it: `assistant-request` when no assistant
 * is attached, then `status-update`s and the `end-of-call-report`, with the headers Vapi would send.
 */
export class CallSimulator {
  readonly calls: SimulatedCall[] = [];

  constructor(
    private readonly vapi: VapiEmulator,
    private readonly ids: SandboxIds,
    private readonly twilioAccountSid: string,
    /** Saves the sandbox's state: the call's ids are taken from the sequence before anything is delivered. */
    private readonly changed: () => void = () => undefined,
  ) {}

  async place(request: SimulatedCallRequest): Promise<SimulatedCall> {
    if (typeof request?.to !== 'string') throw new VapiError(400, ['to must be a string']);
    const phoneNumber = this.vapi.findPhoneNumber(request.to);
    if (!phoneNumber) throw new VapiError(404, `No Vapi phone number ${request.to}`);
    const assistant = this.vapi.assistant(phoneNumber.assistantId);
    const server = assistant?.server?.url ? assistant.server : phoneNumber.server;
    if (!server?.url) throw new VapiError(409, `Phone number ${request.to} has no server URL to deliver to`);

    const startedAt = new Date();
    const durationSeconds = request.durationSeconds ?? 42;
    const call: Record<string, unknown> = {
      id: this.ids.next('uuid', 'call'),
      orgId: this.vapi.orgId,
      type: 'inboundPhoneCall',
      status: 'ringing',
      phoneNumberId: phoneNumber.id,
      assistantId: phoneNumber.assistantId ?? null,
      squadId: phoneNumber.squadId ?? null,
      customer: { number: request.from ?? '+12055550199' },
      phoneCallProvider: phoneNumber.provider === 'twilio' ? 'twilio' : 'vapi',
      phoneCallTransport: phoneNumber.provider === 'twilio' ? 'pstn' : 'sip',
      transport:
        phoneNumber.provider === 'twilio'
          ? { provider: 'twilio', callSid: this.ids.next('CA', 'call'), accountSid: this.twilioAccountSid }
          : { provider: 'vapi.sip' },
      createdAt: startedAt.toISOString(),
    };
    const { twilioAuthToken: _token, ...phoneNumberPayload } = phoneNumber;
    const envelope = (message: Record<string, unknown>) => ({
      message: {
        ...message,
        timestamp: Date.now(),
        call: { ...call },
        phoneNumber: phoneNumberPayload,
        customer: call.customer,
      },
    });
    this.changed(); // the ids above are spent, whatever happens to the call
    const deliveries: WebhookDelivery[] = [];
    const send = async (type: string, message: Record<string, unknown>, timeoutMs: number) => {
      const delivery = await this.deliver(server, type, envelope({ type, ...message }), timeoutMs);
      deliveries.push(delivery);
      return delivery;
    };
    const timeoutMs = (server.timeoutSeconds ?? 20) * 1000;

    let endedReason = request.endedReason ?? 'customer-ended-call';
    const attached = phoneNumber.assistantId || phoneNumber.squadId || phoneNumber.workflowId;
    if (!attached) {
      const answer = await send('assistant-request', {}, ASSISTANT_REQUEST_DEADLINE_MS);
      const failed = assistantRequestFailure(answer);
      if (failed) {
        endedReason = phoneNumber.fallbackDestination ? 'assistant-forwarded-call' : failed;
      } else {
        const body = answer.response as Record<string, unknown>;
        if (typeof body.assistantId === 'string') call.assistantId = body.assistantId;
        if (body.destination) endedReason = 'assistant-forwarded-call';
      }
      if (failed && !phoneNumber.fallbackDestination) {
        call.status = 'ended';
        await send('status-update', { status: 'ended', endedReason }, timeoutMs);
        return this.finish(call, endedReason, deliveries, send, startedAt, 0, timeoutMs);
      }
    }
    call.status = 'in-progress';
    await send('status-update', { status: 'in-progress' }, timeoutMs);
    call.status = 'ended';
    await send('status-update', { status: 'ended', endedReason }, timeoutMs);
    return this.finish(call, endedReason, deliveries, send, startedAt, durationSeconds, timeoutMs);
  }

  private async finish(
    call: Record<string, unknown>,
    endedReason: string,
    deliveries: WebhookDelivery[],
    send: (type: string, message: Record<string, unknown>, timeoutMs: number) => Promise<WebhookDelivery>,
    startedAt: Date,
    durationSeconds: number,
    timeoutMs: number,
  ): Promise<SimulatedCall> {
    const endedAt = new Date(startedAt.getTime() + durationSeconds * 1000);
    const cost = Math.round((durationSeconds / 60) * COST_PER_MINUTE * 10_000) / 10_000;
    call.endedReason = endedReason;
    await send(
      'end-of-call-report',
      {
        endedReason,
        startedAt: startedAt.toISOString(),
        endedAt: endedAt.toISOString(),
        durationSeconds,
        cost,
        costs: [{ type: 'vapi', minutes: durationSeconds / 60, cost }],
        artifact: { messages: [], transcript: '' },
        analysis: {},
      },
      timeoutMs,
    );
    const result = { call, endedReason, deliveries };
    this.calls.push(result);
    return result;
  }

  private async deliver(
    server: VapiServer,
    type: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<WebhookDelivery> {
    const url = server.url!;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Vapi-Sandbox',
    };
    const credential = this.vapi.credential(server.credentialId);
    const plan = credential?.authenticationPlan;
    if (plan?.type === 'bearer' && plan.token) {
      headers[(plan.headerName ?? 'Authorization').toLowerCase()] =
        plan.bearerPrefixEnabled === false ? plan.token : `Bearer ${plan.token}`;
    }
    for (const [name, value] of Object.entries(server.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { type, url, status: response.status, response: parsed };
    } catch (error) {
      return {
        type,
        url,
        status: null,
        response: null,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}

/** The ended reason an `assistant-request` answer leads to, or undefined when it names an assistant. */
function assistantRequestFailure(answer: WebhookDelivery): string | undefined {
  if (answer.status === null || answer.status < 200 || answer.status >= 300)
    return 'assistant-request-failed';
  const body = answer.response;
  if (!body || typeof body !== 'object') return 'assistant-request-returned-no-assistant';
  const reply = body as Record<string, unknown>;
  if (typeof reply.error === 'string') return 'assistant-request-returned-error';
  if (reply.destination) return undefined;
  if (
    reply.assistantId ||
    reply.assistant ||
    reply.squadId ||
    reply.squad ||
    reply.workflowId ||
    reply.workflow
  )
    return undefined;
  return 'assistant-request-returned-no-assistant';
}
