import type { Response } from 'express';

/** Twilio's error codes that the emulator produces. */
export const TWILIO_CODES = {
  invalidParameter: 20001,
  authenticate: 20003,
  notFound: 20404,
  tooManyRequests: 20429,
  numberInvalid: 21421,
  numberUnavailable: 21422,
  areaCodeInvalid: 21451,
  noneAvailable: 21452,
  areaCodeNotSupported: 21457,
  addressRequired: 21631,
} as const;

export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Twilio's legacy v2010 error body; `message` is always present because the SDK copies it verbatim. */
export function writeTwilioError(res: Response, status: number, code?: number, message?: string): void {
  const resolved =
    code ??
    (status === 429
      ? TWILIO_CODES.tooManyRequests
      : status === 404
        ? TWILIO_CODES.notFound
        : status >= 500
          ? 20500
          : status);
  res.status(status).json({
    code: resolved,
    message:
      message ??
      (status === 429
        ? 'Too Many Requests'
        : status >= 500
          ? 'An internal server error has occurred'
          : 'Error'),
    more_info: `https://www.twilio.com/docs/errors/${resolved}`,
    status,
  });
}
