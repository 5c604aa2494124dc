import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { AxiosError, AxiosHeaders } from 'axios';
import pino from 'pino';
import { REDACTED_PATHS, serializeError } from './logging.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino(
    { redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } },
    stream,
  );
  return { logger, text: () => lines.join('') };
}

describe('logging', () => {
  it('redacts secrets in headers and in nested objects', () => {
    const { logger, text } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer eyJ.secret.jwt', 'x-vapi-secret': 'hook-secret' } },
      twilio: { authToken: 'twilio-token-123', accountSid: 'AC123' },
      vapi: { config: { apiKey: 'vapi-key-456' } },
    });
    const out = text();
    for (const secret of ['eyJ.secret.jwt', 'hook-secret', 'twilio-token-123', 'vapi-key-456']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('AC123');
    expect(out).toContain('[redacted]');
  });

  it('keeps an HTTP client error to what helps, without the request headers that carry the key', () => {
    const { logger, text } = capture();
    const error = new AxiosError('Request failed with status code 500', 'ERR_BAD_RESPONSE', {
      method: 'post',
      url: 'https://api.vapi.ai/phone-number',
      headers: new AxiosHeaders({ Authorization: 'Bearer vapi-private-key' }),
    });
    logger.error({ err: error }, 'vapi failed');
    const out = text();
    expect(out).not.toContain('vapi-private-key');
    expect(out).toContain('https://api.vapi.ai/phone-number');
    expect(out).toContain('ERR_BAD_RESPONSE');
  });
});
