import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { VapiConfig } from '../../config/index.js';
import { InvalidWebhookSecretError } from './vapi-webhook.errors.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Vapi's requests carry `VAPI_WEBHOOK_SECRET` in `x-vapi-secret` (the header this service registers with each
 * number) or as `Authorization: Bearer` (a bearer credential; https://docs.vapi.ai/server-url/server-authentication).
 * Compared in constant time (digests of equal length); anything else is 401 before the message is read.
 */
@Injectable()
export class VapiSecretGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(vapi: VapiConfig) {
    this.expected = digest(vapi.webhookSecret);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers['x-vapi-secret'];
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const candidates = [typeof header === 'string' ? header : undefined, bearer].filter(
      (c): c is string => c !== undefined,
    );
    // Check every candidate, so the time taken does not depend on which one matched.
    const matched = candidates.map((c) => timingSafeEqual(digest(c), this.expected)).includes(true);
    if (!matched) throw new InvalidWebhookSecretError();
    return true;
  }
}
