import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { NumbersConfig, TwilioConfig, VapiConfig } from '../../config/index.js';
import {
  AddressRequiredError,
  InvalidPhoneNumberError as TwilioInvalidNumberError,
  NoNumbersAvailableError,
  NumberUnavailableError,
  TelephonyPort,
  type OwnedNumber,
  type PurchaseRequest,
} from '../../telephony/index.js';
import type { PhoneNumber, PurchaseRefusal } from '../phone-number.entity.js';
import { InvalidPhoneNumberError, NumberConflictError } from '../phone-number.errors.js';
import { NumberCatalog } from '../search-numbers/number-catalog.js';
import type { Attempt } from './provisioning-steps.js';

/** What a purchase came to: a number Twilio sold us, or Twilio's typed refusal. */
export type PurchaseOutcome =
  { kind: 'bought'; owned: OwnedNumber } | { kind: 'refused'; refusal: PurchaseRefusal };

/**
 * The `purchase` step's work: buy a number from Twilio, in one round trip when nothing is in the way.
 *
 * Never buys twice: every purchase carries the number's id in Twilio's FriendlyName; an attempt whose predecessor's
 * outcome is unknown (a timeout, a 5xx, a crash mid-call) first asks Twilio for a number with that mark, and adopts
 * it once it holds that number's claim, as every number bought is claimed before it is ours. Should the claim be
 * refused (another of ours holds the number live: Twilio had forgotten that sale; or another purchase of ours in
 * flight holds its claim), the number is handed back and the attempt goes on as a first one. One that a number of
 * ours holds at Twilio (its SID) is neither adopted nor handed back: `NUMBERS.CONFLICT`, for an operator. A first
 * attempt has no predecessor and skips the lookup.
 *
 * First available: Twilio picks the number (`AreaCode`, https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource#create-an-incomingphonenumber-resource):
 * a number the account owns is not available, so two purchases of ours can never get the same one, and the
 * country follows the area code. The number it sold is claimed for this purchase at once (a database call, not a
 * provider's). Should Twilio pick one that needs an address on file (this service keeps none), or one our records
 * give to another of ours (Twilio forgot that sale; the number is handed back), the area code's purchasable
 * candidates are tried instead, each claimed first.
 *
 * A named number, or a candidate, is claimed in the database (committed) before Twilio is asked: no two purchases of
 * ours ever try the same number at once, and a number any tenant holds live is never tried. A Twilio answer under
 * another mark is not our purchase.
 *
 * In BYO mode (`VAPI_NUMBER_PROVIDER=byo-phone-number`) the number is put on the SIP trunk by the purchase itself.
 */
@Injectable()
export class PurchaseStep {
  private readonly claimTtlMs: number;

  constructor(
    private readonly telephony: TelephonyPort,
    private readonly catalog: NumberCatalog,
    private readonly em: EntityManager,
    private readonly config: NumbersConfig,
    private readonly twilio: TwilioConfig,
    private readonly vapi: VapiConfig,
  ) {
    // Longer than any one purchase call can take (the SDK may retry a 429 twice): a claim outlives its call.
    this.claimTtlMs = 4 * twilio.timeoutMs;
  }

  async buy(number: Readonly<PhoneNumber>, attempt: Attempt): Promise<PurchaseOutcome> {
    if (attempt.previousOutcomeUnknown) {
      const [earlier] = await this.telephony.findOwnedByFriendlyName(number.twilioMark);
      if (earlier) {
        if (await this.claimEarlier(earlier, number.id)) return { kind: 'bought', owned: earlier };
        // Not ours to keep: handed back at once, and the purchase goes on as a first attempt would (a named number
        // whose claim is refused is a refusal).
        await this.telephony.release(earlier.sid);
      }
    }
    return number.requestedNumber
      ? this.buyNamed(number, number.requestedNumber)
      : this.buyFirstAvailable(number, number.areaCode!);
  }

  private async buyFirstAvailable(number: Readonly<PhoneNumber>, areaCode: string): Promise<PurchaseOutcome> {
    try {
      const owned = await this.telephony.purchase(this.request(number, { areaCode }));
      if (await this.claim(owned.phoneNumber, number.id)) return { kind: 'bought', owned };
      // Twilio sold us a number our records give to another of ours (it had forgotten that sale): never hold it
      // twice. Handed back at once; the candidates, each claimed first, go on.
      await this.telephony.release(owned.sid);
    } catch (error) {
      if (error instanceof NoNumbersAvailableError) return this.noneAvailable(areaCode);
      // Should Twilio pick a number that needs an address on file, the candidates (which need none) go on.
      if (!(error instanceof AddressRequiredError)) throw error;
    }
    const candidates = await this.catalog.purchasable({ areaCode, limit: this.config.purchaseCandidates });
    for (const { phoneNumber } of candidates) {
      if (!(await this.claim(phoneNumber, number.id))) continue; // another purchase of ours is trying it
      try {
        const owned = await this.telephony.purchase(this.request(number, { phoneNumber }));
        if (owned.friendlyName === number.twilioMark) return { kind: 'bought', owned };
      } catch (error) {
        // Sold since the search, or a requirement the search did not show: the next candidate.
        if (!(error instanceof NumberUnavailableError || error instanceof AddressRequiredError)) throw error;
      }
    }
    return this.noneAvailable(areaCode);
  }

  private async buyNamed(number: Readonly<PhoneNumber>, e164: string): Promise<PurchaseOutcome> {
    if (!(await this.claim(e164, number.id)))
      return { kind: 'refused', refusal: { kind: 'number-unavailable', e164 } };
    let owned: OwnedNumber;
    try {
      owned = await this.telephony.purchase(this.request(number, { phoneNumber: e164 }));
    } catch (error) {
      if (error instanceof NumberUnavailableError)
        return { kind: 'refused', refusal: { kind: 'number-unavailable', e164 } };
      if (error instanceof AddressRequiredError)
        return { kind: 'refused', refusal: { kind: 'address-required', e164 } };
      if (error instanceof TwilioInvalidNumberError) throw new InvalidPhoneNumberError(e164);
      throw error;
    }
    // The account owned it already, under another mark (Twilio answers such a purchase as an update): not ours.
    if (owned.friendlyName !== number.twilioMark) throw new NumberConflictError();
    return { kind: 'bought', owned };
  }

  /** Nothing for sale in the area code: the refusal suggests numbers for sale elsewhere in its state or province. */
  private async noneAvailable(areaCode: string): Promise<PurchaseOutcome> {
    const suggestions = await this.catalog.suggestionsNear(areaCode);
    return { kind: 'refused', refusal: { kind: 'none-available', areaCode, suggestions } };
  }

  private request(
    number: Readonly<PhoneNumber>,
    what: Pick<PurchaseRequest, 'areaCode' | 'phoneNumber'>,
  ): PurchaseRequest {
    return {
      ...what,
      friendlyName: number.twilioMark,
      ...(this.vapi.numberProvider === 'byo-phone-number' ? { trunkSid: this.twilio.sipTrunkSid! } : {}),
    };
  }

  /**
   * Claims the E.164 number for this purchase, committed before Twilio is asked: false when another purchase of
   * ours holds a live claim on it, or one of our numbers (any tenant's) holds it live. Cross-tenant, so through the
   * narrow security-definer function of the claims migration.
   */
  private async claim(e164: string, numberId: string): Promise<boolean> {
    const [row] = await this.crossTenant<{ claimed: boolean }>(
      'select claim_number_for_purchase(?, ?, ?) as claimed',
      [e164, numberId, this.claimTtlMs],
    );
    return row?.claimed === true;
  }

  /**
   * Claims what an earlier attempt bought (found under this purchase's mark), as `claim` does, in the same
   * statement as it asks whether a number of ours (any tenant's) holds that Twilio number by its SID, live or
   * released and kept for a restore: then it is that number's, whatever its FriendlyName says, and
   * `NumberConflictError` is thrown (never adopted, never handed back). The SID is looked up through the narrow
   * cross-tenant function of the reconciliation migration, which answers only ids, statuses and providers' keys.
   */
  private async claimEarlier(earlier: OwnedNumber, numberId: string): Promise<boolean> {
    const [row] = await this.crossTenant<{ claimed: boolean; held: boolean }>(
      `select claim_number_for_purchase(?, ?, ?) as claimed,
              exists (select 1 from reconcile_numbers_matching('{}', array[?], '{}')
                       where id <> ? and (status <> 'released' or in_grace)) as held`,
      [earlier.phoneNumber, numberId, this.claimTtlMs, earlier.sid, numberId],
    );
    if (row?.held) throw new NumberConflictError();
    return row?.claimed === true;
  }

  private crossTenant<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.em.fork().getConnection().execute<T[]>(sql, params);
  }
}
