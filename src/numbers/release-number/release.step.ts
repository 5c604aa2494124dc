import { Injectable } from '@nestjs/common';
import { TelephonyPort } from '../../telephony/index.js';
import type { PhoneNumber } from '../phone-number.entity.js';

/**
 * The `release` step's work: Twilio releases the number (https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource#delete-an-incomingphonenumber-resource);
 * it cannot be undone, and whoever buys the number next gets its callers. One round trip for a number we hold. A
 * purchase whose outcome was never recorded (the release cancelled it mid-way) may still have bought one: Twilio is
 * asked for the numbers under the purchase's mark, and each is released. Releasing what Twilio no longer has is no
 * error. An imported number (`releasedAtTwilio` false) is the customer's: it is never released at Twilio.
 */
@Injectable()
export class ReleaseStep {
  constructor(private readonly telephony: TelephonyPort) {}

  async release(number: Readonly<PhoneNumber>): Promise<void> {
    if (!number.releasedAtTwilio) return;
    const sids = number.twilioSid
      ? [number.twilioSid]
      : number.stepState('purchase').attempts > 0
        ? (await this.telephony.findOwnedByFriendlyName(number.twilioMark)).map((owned) => owned.sid)
        : [];
    await Promise.all(sids.map((sid) => this.telephony.release(sid)));
  }
}
