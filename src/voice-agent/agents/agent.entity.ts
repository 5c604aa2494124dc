import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../tenancy/index.js';

/** A project's AI agent: a Vapi assistant that the project's numbers answer with. */
@Entity({ tableName: 'agent' })
@TenantOwned()
export class Agent {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  projectId: string;

  @Property({ length: 100 })
  name: string;

  @Property({ length: 64 })
  vapiAssistantId: string;

  @Property()
  createdAt: Date = new Date();

  constructor(props: { tenantId: string; projectId: string; name: string; vapiAssistantId: string }) {
    this.tenantId = props.tenantId;
    this.projectId = props.projectId;
    this.name = props.name;
    this.vapiAssistantId = props.vapiAssistantId;
  }
}
