import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumbersConfig, OutboxConfig, TwilioConfig } from '../../config/index.js';
import { failpoint } from '../../shared/failpoints/failpoints.js';
import {
  AddressRequiredError,
  InvalidPhoneNumberError as TwilioInvalidNumberError,
  NumberUnavailableError,
  TelephonyPort,
  type OwnedNumber,
} from '../../telephony/index.js';
import type { PhoneNumber } from '../phone-number.entity.js';
import {
  InvalidPhoneNumberError,
  NoNumberAvailableError,
  PurchaseTooSlowError,
  RequestedNumberRequiresAddressError,
  RequestedNumberUnavailableError,
} from '../phone-number.errors.js';
import { ProvisioningSteps, type StepOutcome } from '../provisioning/provisioning-steps.js';
import { NumberCatalog } from '../search-numbers/number-catalog.js';
import { PurchaseNumberCommand } from './purchase-number.command.js';

/**
 * The `purchase` step. Never buys twice: the purchase carries the number's id in Twilio's FriendlyName, and every
 * attempt first asks Twilio whether the account already owns a number with that mark (an earlier attempt whose
 * answer was lost to a timeout or a crash). A named number is bought exactly; otherwise the first candidates of
 * the area code (in its country, and needing no address on file) are tried in turn, skipping any sold since the
 * search.
 */
@CommandHandler(PurchaseNumberCommand)
export class PurchaseNumberHandler implements ICommandHandler<PurchaseNumberCommand> {
  /** How long one attempt may keep trying candidates (see `buy`). */
  private readonly budgetMs: number;

  constructor(
    private readonly steps: ProvisioningSteps,
    private readonly telephony: TelephonyPort,
    private readonly catalog: NumberCatalog,
    private readonly em: EntityManager,
    private readonly config: NumbersConfig,
    outbox: OutboxConfig,
    twilio: TwilioConfig,
  ) {
    // An attempt must end before the outbox's claim on its event expires, or another relay would run a second
    // attempt beside it: keep a margin of two Twilio calls (the last candidate's check and purchase).
    this.budgetMs = Math.max(outbox.claimTimeoutMs - 2 * twilio.timeoutMs, outbox.claimTimeoutMs / 4);
  }

  async execute({ numberId }: PurchaseNumberCommand): Promise<void> {
    await this.steps.run(numberId, 'purchase', async (number) => {
      failpoint('numbers.purchase.before-provider');
      const owned = await this.buy(number);
      failpoint('numbers.purchase.after-provider');
      return ((n: PhoneNumber) =>
        n.purchased({ e164: owned.phoneNumber, twilioSid: owned.sid })) satisfies StepOutcome;
    });
  }

  private async buy(number: Readonly<PhoneNumber>): Promise<OwnedNumber> {
    const deadline = performance.now() + this.budgetMs;
    const mark = number.twilioMark;
    const [earlier] = await this.telephony.findOwnedByFriendlyName(mark);
    if (earlier) return earlier;

    const candidates = number.requestedNumber
      ? [number.requestedNumber]
      : (
          await this.catalog.purchasable({
            areaCode: number.areaCode!,
            limit: this.config.purchaseCandidates,
          })
        ).map((n) => n.phoneNumber);
    for (const candidate of candidates) {
      if (performance.now() > deadline) throw new PurchaseTooSlowError();
      if (await this.isHeld(candidate)) continue; // one of our numbers already: never buy it a second time
      const holder = await this.telephony.findOwnedByNumber(candidate);
      if (holder) {
        if (holder.friendlyName === mark) return holder;
        continue; // the account owns it already, for another number of ours
      }
      try {
        return await this.telephony.purchase({ phoneNumber: candidate, friendlyName: mark });
      } catch (error) {
        if (error instanceof AddressRequiredError && number.requestedNumber) {
          throw new RequestedNumberRequiresAddressError(number.requestedNumber, number.id);
        }
        // A candidate sold since the search, or one whose requirement the search did not show: try the next.
        if (error instanceof NumberUnavailableError || error instanceof AddressRequiredError) continue;
        if (error instanceof TwilioInvalidNumberError) throw new InvalidPhoneNumberError(candidate);
        throw error;
      }
    }
    if (number.requestedNumber) throw new RequestedNumberUnavailableError(number.requestedNumber, number.id);
    throw new NoNumberAvailableError(
      number.areaCode,
      await this.catalog.suggestionsNear(number.areaCode),
      number.id,
    );
  }

  /** Whether a number of any tenant holds this E.164 number (row-level security would hide the others). */
  private async isHeld(e164: string): Promise<boolean> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<{ held: boolean }[]>('select phone_number_is_held(?) as held', [e164]);
    return row?.held === true;
  }
}
