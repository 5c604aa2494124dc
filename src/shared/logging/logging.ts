import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import { REDACTED, SECRET_FIELDS, SECRET_HEADERS } from './secrets.js';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  ...SECRET_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `res.headers["${name}"]`]),
  ...SECRET_FIELDS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

const REQUEST_ID = /^[\w.-]{1,128}$/;

/** A request id from the caller's `X-Request-Id` when it is sane, else a new one. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Errors of HTTP clients (axios, used for Vapi) carry the request's headers, the Bearer key among them.
 * Only what helps an operator is kept.
 */
export function serializeError(error: unknown): unknown {
  if (error && typeof error === 'object' && (error as { isAxiosError?: boolean }).isAxiosError) {
    const e = error as {
      message: string;
      code?: string;
      config?: { method?: string; url?: string };
      response?: { status?: number };
    };
    return {
      type: 'AxiosError',
      message: e.message,
      code: e.code,
      method: e.config?.method,
      url: e.config?.url,
      status: e.response?.status,
    };
  }
  return error instanceof Error ? stdSerializers.err(error) : error;
}

export function loggerParams(level: string, pretty: boolean): Params {
  return {
    pinoHttp: {
      level,
      genReqId: requestId,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      serializers: { err: serializeError, error: serializeError },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|$)/.test(req.url ?? '') },
      quietReqLogger: false,
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
            },
          }
        : {}),
    },
  };
}
