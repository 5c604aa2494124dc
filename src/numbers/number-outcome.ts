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
 * or refused, or as it stands when `PROVISIONING_WAIT_MS` is over. Woken when its row changes (on this instance or
 * another), not by polling; the wait holds no connection.
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
    if (!wait) return this.answer(await this.read(numberId));
    this.letGo();
    return this.waitFor(numberId);
  }

  /**
   * The answer to a click that creates its number: `create` runs the transaction that records it (the number's id
   * given beforehand) and returns the number as committed, which is the number's state at the start, with no read
   * of it. The wait listens from before that commit, so that no change after it is missed.
   */
  async ofCreated(
    numberId: string,
    create: () => Promise<Readonly<PhoneNumber>>,
    { wait = true }: { wait?: boolean } = {},
  ): Promise<IdempotentResponse> {
    if (!wait) return this.answer(await create());
    return this.waitFor(numberId, async () => {
      const number = await create();
      this.letGo();
      return number;
    });
  }

  /**
   * What the request loaded (the number, its outbox rows) is of no use to the answer: let it go rather than keep it
   * in the request's unit of work through a wait of up to PROVISIONING_WAIT_MS, for every click waiting at once.
   */
  private letGo(): void {
    this.em.clear();
  }

  /**
   * The number once it is live, failed or refused (or released meanwhile), or as it stands when the wait is over
   * (`NumberSettlements`): its state at the start is `first`'s, else read.
   */
  private waitFor(
    numberId: string,
    first?: () => Promise<Readonly<PhoneNumber>>,
  ): Promise<IdempotentResponse> {
    return this.settlements.waitFor(numberId, this.config.provisioningWaitMs, {
      first,
      read: () => this.read(numberId),
      answer: (number) => this.answer(number),
    });
  }

  private read(numberId: string): Promise<PhoneNumber> {
    return this.em.fork().findOneOrFail(PhoneNumber, numberId);
  }

  /** 201 once active; the refusal's 4xx once refused; else 202 with the number as it stands. */
  private answer(number: Readonly<PhoneNumber>): IdempotentResponse {
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
