import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OutboxEvent } from './outbox-event.entity.js';

/** `superseded`: a failed delivery whose work was taken up by a newer event (a retry); settled, like `delivered`. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'superseded';

export interface DeliveryError {
  /** The error's stable code when it has one (a DomainError's), else its name. */
  code: string;
  message: string;
}

/** One subscriber's delivery of one event: its own status, attempts and schedule. */
@Entity({ tableName: 'outbox_delivery' })
export class OutboxDelivery {
  [OptionalProps]?:
    'status' | 'attempts' | 'claimedUntil' | 'claimToken' | 'lastError' | 'deliveredAt' | 'failedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => OutboxEvent, { fieldName: 'event_id' })
  event!: OutboxEvent;

  @Property({ type: 'string', length: 255 })
  subscriber!: string;

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 16 })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  nextAttemptAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  claimedUntil?: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  claimToken?: string | null = null;

  @Property({ type: 'json', nullable: true })
  lastError?: DeliveryError | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deliveredAt?: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  failedAt?: Date | null = null;
}
