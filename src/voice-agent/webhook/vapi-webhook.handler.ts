import { Injectable, Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetProjectQuery, TenantScope } from '../../tenancy/index.js';
import { AgentNotFoundError } from '../agents/agent.errors.js';
import { GetAgentQuery } from '../agents/get-agent/get-agent.query.js';
import { NumberDirectory, type VapiNumberRoute } from '../number-directory.port.js';
import { CallEventsPublisher } from './call-events.publisher.js';
import { CallEndedEvent } from './events/call-ended.event.js';
import { CallStartedEvent } from './events/call-started.event.js';
import type { VapiMessage } from './vapi-message.js';

/**
 * What Vapi gets back: for `assistant-request`, a bare object naming the assistant or a transfer destination (or
 * an error Vapi speaks), as https://docs.vapi.ai/server-url/events describes; `{}` for the rest.
 */
export type VapiWebhookReply =
  | { assistantId: string }
  | { destination: { type: 'number'; number: string; message: string } }
  | { error: string }
  | Record<string, never>;

const NOT_IN_SERVICE = 'Sorry, this number cannot take calls right now. Please try again later.';

@Injectable()
export class VapiWebhookHandler {
  private readonly logger = new Logger('VapiWebhook');

  constructor(
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
    private readonly events: CallEventsPublisher,
    private readonly numbers: NumberDirectory,
  ) {}

  async handle(message: VapiMessage): Promise<VapiWebhookReply> {
    if (!['assistant-request', 'status-update', 'end-of-call-report'].includes(message.type)) return {};
    const route = await this.route(message);
    if (!route) {
      this.logger.warn(
        { type: message.type, callId: message.callId, numberKeys: message.numberKeys },
        'Vapi message for a number we do not know; acknowledged and ignored',
      );
      return {};
    }
    return this.scope.run(route.tenantId, () => this.handleFor(route, message));
  }

  /** The number's owner: by `call.phoneNumberId`, then `phoneNumber.id`, then the number itself. */
  private async route(message: VapiMessage): Promise<VapiNumberRoute | null> {
    for (const key of message.numberKeys) {
      const route = await this.numbers.routeOf(key);
      if (route) return route;
    }
    return null;
  }

  private async handleFor(route: VapiNumberRoute, message: VapiMessage): Promise<VapiWebhookReply> {
    switch (message.type) {
      case 'assistant-request':
        return this.answer(route);
      case 'status-update':
        if (message.status === 'in-progress' && message.callId) {
          await this.events.publish(
            new CallStartedEvent(route.tenantId, {
              projectId: route.projectId,
              numberId: route.numberId,
              e164: route.e164,
              vapiCallId: message.callId,
              startedAt: message.timestamp,
            }),
            { callId: message.callId, type: message.type },
          );
        }
        return {};
      default:
        if (message.callId) {
          await this.events.publish(this.callEnded(route, message, message.callId), {
            callId: message.callId,
            type: message.type,
          });
        }
        return {};
    }
  }

  /** The number's agent; failing that, the project's fallback phone; failing that, a spoken apology. */
  private async answer(route: VapiNumberRoute): Promise<VapiWebhookReply> {
    if (route.agentId) {
      try {
        const agent = await this.queries.execute(new GetAgentQuery(route.projectId, route.agentId));
        return { assistantId: agent.vapiAssistantId };
      } catch (error) {
        if (!(error instanceof AgentNotFoundError)) throw error;
      }
    }
    const project = await this.queries.execute(new GetProjectQuery(route.projectId));
    this.logger.warn(
      { projectId: route.projectId, agentId: route.agentId },
      'number has no agent to answer with',
    );
    if (project.fallbackNumber) {
      return { destination: { type: 'number', number: project.fallbackNumber, message: '' } };
    }
    return { error: NOT_IN_SERVICE };
  }

  private callEnded(route: VapiNumberRoute, message: VapiMessage, callId: string): CallEndedEvent {
    const measured =
      message.startedAt && message.endedAt
        ? Math.max(0, (Date.parse(message.endedAt) - Date.parse(message.startedAt)) / 1000)
        : null;
    return new CallEndedEvent(route.tenantId, {
      projectId: route.projectId,
      numberId: route.numberId,
      e164: route.e164,
      vapiCallId: callId,
      endedReason: message.endedReason,
      durationSeconds: message.durationSeconds ?? measured,
      cost: message.cost,
      endedAt: message.endedAt ?? message.timestamp,
    });
  }
}
