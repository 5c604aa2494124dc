import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumbersConfig } from '../config/index.js';
import type { JsonValue } from '../shared/domain/domain-event.js';
import type { IdempotentResponse } from '../shared/idempotency/index.js';
import { NumberSettlements } from './number-settlements.js';
import { PhoneNumber } from './phone-number.entity.js';
import { refusalError } from './phone-number.errors.js';
import { PhoneNumberResponse, type PurchaseNumberResponse } from './phone-number.response.js';

/**
 * What a click that starts a number's flow (a purchase, an import) is answered: the number once it is live, failed
 * or refused, or as it stands when `PROVISIONING_WAIT_MS` is over.
 */
@Injectable()
export class NumberOutcome {
  constructor(
    private readonly em: EntityManager,
    private readonly config: NumbersConfig,
    private readonly settlements: NumberSettlements,
  ) {}

  /** With `wait: false` (`Prefer: respond-async`), the number as it stands now, without waiting. */
  async of(numberId: string, { wait = true }: { wait?: boolean } = {}): Promise<IdempotentResponse> {
    if (!wait) return this.answer(await this.em.fork().findOneOrFail(PhoneNumber, numberId));
    return this.answer(await this.waitFor(numberId));
  }

  /**
   * The number once it is live, failed or refused (or released meanwhile), or as it stands when the wait is over:
   * woken when its row changes (on this instance or another), not by polling; the wait holds no connection.
   */
  private waitFor(id: string): Promise<PhoneNumber> {
    // What the request loaded (the number, its outbox rows, the project and agent) is of no use to the answer, read
    // afresh: let it go rather than keep it in the request's unit of work through a wait of up to
    // PROVISIONING_WAIT_MS, for every click waiting at once.
    this.em.clear();
    return this.settlements.waitFor(id, this.config.provisioningWaitMs, () =>
      this.em.fork().findOneOrFail(PhoneNumber, id),
    );
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
