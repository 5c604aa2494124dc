import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { AggregateRoot } from '../../shared/domain/aggregate-root.js';
import { TenantOwned } from '../tenant-scope/tenant-owned.js';
import { ProjectFallbackChangedEvent } from './events/project-fallback-changed.event.js';

/** A customer's project: what a phone number and its agents belong to. */
@Entity({ tableName: 'project' })
@TenantOwned()
export class Project extends AggregateRoot {
  [OptionalProps]?: 'fallbackNumber' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ length: 100 })
  name: string;

  /** The customer's own phone (E.164), where calls go when the AI cannot take them. */
  @Property({ type: 'string', length: 16, nullable: true })
  fallbackNumber: string | null = null;

  @Property()
  createdAt: Date = new Date();

  @Property({ onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(props: { tenantId: string; name: string; fallbackNumber?: string | null }) {
    super();
    this.tenantId = props.tenantId;
    this.name = props.name;
    this.fallbackNumber = props.fallbackNumber ?? null;
  }

  /** A changed fallback records `ProjectFallbackChanged`: the project's live numbers follow it in Vapi. */
  update(changes: { name?: string; fallbackNumber?: string | null }): void {
    if (changes.name !== undefined) this.name = changes.name;
    if (changes.fallbackNumber !== undefined && changes.fallbackNumber !== this.fallbackNumber) {
      const previousFallbackNumber = this.fallbackNumber;
      this.fallbackNumber = changes.fallbackNumber;
      this.recordEvent(
        new ProjectFallbackChangedEvent(this.tenantId, {
          projectId: this.id,
          fallbackNumber: this.fallbackNumber,
          previousFallbackNumber,
        }),
      );
    }
  }
}
