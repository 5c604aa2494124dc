import type { Response } from 'express';

/** An error in the shape Vapi's NestJS backend answers with. */
export class VapiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string | string[],
  ) {
    super(Array.isArray(body) ? body.join('; ') : body);
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function writeVapiError(
  res: Response,
  status: number,
  _code?: number,
  message?: string | string[],
): void {
  if (status === 429) res.setHeader('Retry-After', '1');
  res.status(status).json({
    message: message ?? (status === 429 ? 'Rate limit exceeded' : (ERROR_NAMES[status] ?? 'Error')),
    error: ERROR_NAMES[status] ?? 'Error',
    statusCode: status,
  });
}
