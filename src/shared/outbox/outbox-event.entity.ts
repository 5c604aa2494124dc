import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { JsonObject } from '../domain/domain-event.js';

/** One row of the append-only event log. Written only by the outbox; read back by the relay. */
@Entity({ tableName: 'outbox_event' })
export class OutboxEvent {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 255 })
  type!: string;

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  recordedAt!: Date;

  @Property({ type: 'json' })
  payload!: JsonObject;
}
