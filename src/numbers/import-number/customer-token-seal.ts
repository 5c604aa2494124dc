import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VapiConfig } from '../../config/index.js';
import { ImportCredentialsLostError } from '../phone-number.errors.js';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';

/**
 * Seals a customer's Twilio auth token for the few steps of an import that need it (registering the number in Vapi
 * with it, reading the number back at activation), so that the database never holds it in clear; the number's row
 * drops it once the number is active, and from then on it lives only in Vapi (which needs it to take the calls).
 *
 * AES-256-GCM (node's crypto), a random 96-bit IV per seal, and the number's id as additional data, so a sealed token
 * opens only on its own row. The key is derived with HKDF-SHA256 from `VAPI_WEBHOOK_SECRET` for this purpose alone:
 * no second secret to provision, and the webhook secret is already required in live mode (at least 32 characters)
 * and kept across restarts in sandbox mode. Rotating it only costs the imports still in flight (their steps then
 * fail with `NUMBERS.IMPORT_CREDENTIALS_LOST`; importing again fixes it).
 */
@Injectable()
export class CustomerTokenSeal {
  private readonly key: Buffer;

  constructor(vapi: VapiConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', vapi.webhookSecret, 'afterhourfix-numbers', 'customer-twilio-auth-token', 32),
    );
  }

  seal(token: string, numberId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(Buffer.from(numberId));
    const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return [VERSION, iv, sealed, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /**
   * The token; `NUMBERS.IMPORT_CREDENTIALS_LOST` when there is none (wiped at activation: a restore of an imported
   * Twilio number needs it imported again) or it cannot be opened (another key, another row, altered).
   */
  open(sealed: string | null, numberId: string): string {
    const [version, iv, data, tag] = (sealed ?? '').split('.');
    try {
      if (version !== VERSION || !iv || !data || !tag) throw new Error('malformed');
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(numberId))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new ImportCredentialsLostError();
    }
  }
}
