import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { TenantScope } from '../../src/tenancy/index.js';
import {
  IsAgentInUseQuery,
  ResolveVapiNumberQuery,
  type VapiNumberRoute,
} from '../../src/voice-agent/index.js';

interface FakeNumber extends VapiNumberRoute {
  vapiPhoneNumberId: string;
  number: string;
  live: boolean;
}

/**
 * Stands in for the numbers module, which is not built yet: the answers to the queries it will handle, from an
 * in-memory list of numbers.
 */
@Injectable()
export class FakeNumbers {
  readonly numbers: FakeNumber[] = [];
  readonly resolved: ResolveVapiNumberQuery['key'][] = [];

  add(number: FakeNumber): void {
    this.numbers.push(number);
  }

  clear(): void {
    this.numbers.length = 0;
    this.resolved.length = 0;
  }
}

@QueryHandler(ResolveVapiNumberQuery)
export class FakeResolveVapiNumberHandler implements IQueryHandler<ResolveVapiNumberQuery> {
  constructor(private readonly numbers: FakeNumbers) {}

  async execute({ key }: ResolveVapiNumberQuery): Promise<VapiNumberRoute | null> {
    this.numbers.resolved.push(key);
    const found = this.numbers.numbers.find(
      (n) =>
        n.live &&
        ('vapiPhoneNumberId' in key
          ? n.vapiPhoneNumberId === key.vapiPhoneNumberId
          : n.number === key.number),
    );
    return found ? { tenantId: found.tenantId, projectId: found.projectId, agentId: found.agentId } : null;
  }
}

/** Answers within the asking tenant's scope, as the real handler will. */
@QueryHandler(IsAgentInUseQuery)
export class FakeIsAgentInUseHandler implements IQueryHandler<IsAgentInUseQuery> {
  constructor(
    private readonly numbers: FakeNumbers,
    private readonly moduleRef: ModuleRef,
  ) {}

  async execute({ agentId }: IsAgentInUseQuery): Promise<boolean> {
    const tenantId = this.moduleRef.get(TenantScope, { strict: false }).tenantId;
    return this.numbers.numbers.some((n) => n.live && n.agentId === agentId && n.tenantId === tenantId);
  }
}

export const fakeNumbersProviders = [FakeNumbers, FakeResolveVapiNumberHandler, FakeIsAgentInUseHandler];
