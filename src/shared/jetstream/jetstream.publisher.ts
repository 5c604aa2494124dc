import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsConfig } from '../../config/index.js';
import type { EventEnvelope } from '../domain/domain-event.js';
import { ALL_EVENTS, OutboxSubscriber, type OutboxHandler } from '../outbox/index.js';

export const JETSTREAM_PUBLISHER = 'jetstream';

/** What a message carries: the event's envelope as stored in the log. */
export interface PublishedEvent {
  eventId: string;
  type: string;
  tenantId: string;
  occurredAt: string;
  payload: EventEnvelope['payload'];
}

/** `afterhourfix.numbers.number-activated` for `numbers.number-activated`: the type already starts with its module. */
export function subjectOf(prefix: string, type: string): string {
  return `${prefix}.${type}`;
}

/**
 * Publishes every domain event to NATS JetStream, as one more outbox subscriber: durable and retried with
 * backoff like the others, at least once. The event id is the message id (`Nats-Msg-Id`), so JetStream drops a
 * second publication of the same event within the stream's duplicate window
 * (https://docs.nats.io/using-nats/developer/develop_jetstream/model_deep_dive#message-deduplication); a
 * consumer on the other side still dedupes by it beyond that window. Delivery order across events is not
 * guaranteed (each delivery retries on its own): consumers order by `occurredAt` where it matters.
 *
 * The connection is opened on first use and the stream created if missing (subjects `<prefix>.>`); a failure
 * makes the delivery retry, and the next attempt connects again.
 */
@OutboxSubscriber({ name: JETSTREAM_PUBLISHER, events: [ALL_EVENTS] })
export class JetStreamPublisher implements OutboxHandler, OnModuleDestroy {
  private readonly logger = new Logger('JetStream');
  private client?: Promise<{ nc: NatsConnection; js: JetStreamClient }>;

  /** Registered only when `NATS_URL` is set (see `JetStreamModule`). */
  constructor(private readonly config: NatsConfig) {}

  async handle(event: EventEnvelope): Promise<void> {
    const { js } = await this.connected();
    const body: PublishedEvent = {
      eventId: event.eventId,
      type: event.type,
      tenantId: event.tenantId,
      occurredAt: event.occurredAt.toISOString(),
      payload: event.payload,
    };
    await js.publish(subjectOf(this.config.subjectPrefix, event.type), JSON.stringify(body), {
      msgID: event.eventId,
    });
  }

  async onModuleDestroy(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.then(({ nc }) => nc.drain()).catch(() => undefined);
  }

  private connected(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.client ??= this.open().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client.then(async (client) => {
      if (!client.nc.isClosed()) return client;
      this.client = undefined;
      return this.connected();
    });
  }

  private async open(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    // Loaded at the first connection: a process without NATS_URL never loads the client (nor keeps it in memory).
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError } =
      await import('@nats-io/jetstream');
    const nc = await connect({ servers: this.config.url!, name: 'afterhourfix-numbers' });
    try {
      const jsm = await jetstreamManager(nc);
      const { stream, subjectPrefix, duplicateWindowSeconds } = this.config;
      try {
        await jsm.streams.info(stream);
      } catch (error) {
        if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound)
          throw error;
        await jsm.streams.add({
          name: stream,
          subjects: [`${subjectPrefix}.>`],
          duplicate_window: duplicateWindowSeconds * 1_000_000_000,
        });
        this.logger.log({ stream, subjects: `${subjectPrefix}.>` }, 'created the JetStream stream');
      }
      return { nc, js: jetstream(nc) };
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  }
}
