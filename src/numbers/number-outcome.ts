import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumbersConfig } from '../config/index.js';
import type { JsonValue } from '../shared/domain/domain-event.js';
import type { IdempotentResponse } from '../shared/idempotency/index.js';
import { PhoneNumber } from './phone-number.entity.js';
import { refusalError } from './phone-number.errors.js';
import { PhoneNumberResponse, type PurchaseNumberResponse } from './phone-number.response.js';

const POLL_MS = 50;
/** Statuses the click's answer waits out. */
const PROVISIONING_STATUSES = new Set<string>(['purchasing', 'registering', 'activating']);

/**
 * What a click that starts a number's flow (a purchase, an import) is answered: the number once it is live, failed
 * or refused, or as it stands when `PROVISIONING_WAIT_MS` is over.
 */
@Injectable()
export class NumberOutcome {
  constructor(
    private readonly em: EntityManager,
    private readonly config: NumbersConfig,
  ) {}

  async of(numberId: string): Promise<IdempotentResponse> {
    return this.answer(await this.waitFor(numberId));
  }

  /** The number as it stands when it is live, failed (or released meanwhile), or the wait is over. */
  private async waitFor(id: string): Promise<PhoneNumber> {
    const deadline = performance.now() + this.config.provisioningWaitMs;
    for (;;) {
      const number = await this.em.fork().findOneOrFail(PhoneNumber, id);
      if (!PROVISIONING_STATUSES.has(number.status) || performance.now() >= deadline) return number;
      await sleep(POLL_MS);
    }
  }

  /** 201 once active; the refusal's 4xx once refused; else 202 with the number as it stands. */
  private answer(number: PhoneNumber): IdempotentResponse {
    if (number.status === 'refused') throw refusalError(number.refusal!, number.id);
    const phoneNumber = PhoneNumberResponse.of(number);
    const body: PurchaseNumberResponse = {
      success: number.status === 'active',
      phoneNumber,
      vapiNumberId: number.vapiNumberId,
    };
    return {
      status: number.status === 'active' ? 201 : 202,
      body: body as unknown as JsonValue,
      headers: { Location: `/api/numbers/${number.id}` },
    };
  }
}
