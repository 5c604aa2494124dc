import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, RateLimitedError } from '../errors/domain-error.js';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemDetails,
  STATUS_BY_KIND,
  titleFor,
  typeFor,
} from '../errors/problem.js';
import { HTTP_LAYER_CODES } from './http.errors.js';

/** Errors raised by Express' body parser before any controller runs. */
interface BodyParserError extends Error {
  type: string;
  status?: number;
  statusCode?: number;
}

const C = HTTP_LAYER_CODES;

const BODY_PARSER_CODES: Record<string, { status: number; code: string; detail: string }> = {
  'entity.parse.failed': { ...C.malformedBody, detail: 'The request body is not valid JSON.' },
  'entity.too.large': { ...C.tooLarge, detail: 'The request body is too large.' },
  'encoding.unsupported': { ...C.unsupportedEncoding, detail: 'The request encoding is not supported.' },
  'charset.unsupported': { ...C.unsupportedEncoding, detail: 'The request charset is not supported.' },
  'request.aborted': { ...C.aborted, detail: 'The request was aborted by the client.' },
  'request.size.invalid': {
    ...C.malformedBody,
    detail: 'The request body length does not match its header.',
  },
};

/** Nest's HttpExceptions (routing, guards) by status; a status not listed here answers `HTTP.<status>`. */
const HTTP_CODES: Record<number, string> = Object.fromEntries(
  [
    C.invalid,
    C.invalidToken,
    C.forbidden,
    C.routeNotFound,
    C.methodNotAllowed,
    C.tooLarge,
    C.unsupportedMediaType,
    C.tooManyRequests,
    C.unavailable,
  ].map(({ status, code }) => [status, code]),
);

/**
 * The connection pool could not lend a connection in time (`connectionTimeoutMillis`): every connection is busy,
 * the service is overloaded (or the database is slow to accept connections). Not a bug: answered 503 with a short
 * `Retry-After`, like a load balancer shedding load, instead of a 500. pg-pool's own words, the one signal it gives.
 */
function isPoolExhausted(error: unknown): boolean {
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}

/** Seconds a client is told to wait before retrying when the service sheds load. */
const OVERLOADED_RETRY_AFTER_SECONDS = 1;

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    typeof (error as BodyParserError).type === 'string' &&
    (error as BodyParserError).type in BODY_PARSER_CODES
  );
}

/** The only place that knows HTTP: turns every error into RFC 9457 problem details. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const problem = this.toProblem(exception, request);

    // What a provider answered is for the operator: logged (under the request id, which every line of the
    // request carries), never answered. The answer has our code and our words only.
    const diagnostics = exception instanceof DomainError ? exception.diagnostics : {};
    if (problem.status >= 500) {
      this.logger.error({ err: exception, code: problem.code, diagnostics }, 'request failed');
    } else if (Object.keys(diagnostics).length > 0) {
      this.logger.warn({ code: problem.code, diagnostics }, 'request refused on a provider answer');
    }
    if (exception instanceof RateLimitedError) {
      response.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    }
    if (isPoolExhausted(exception)) response.setHeader('Retry-After', String(OVERLOADED_RETRY_AFTER_SECONDS));
    if (problem.status === 401) {
      // RFC 9110: a 401 names the scheme that would succeed.
      response.setHeader('WWW-Authenticate', 'Bearer');
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  toProblem(exception: unknown, request: Request): ProblemDetails {
    const instance = request.originalUrl?.split('?')[0];
    if (exception instanceof DomainError) {
      const status = STATUS_BY_KIND[exception.kind];
      return {
        ...exception.details,
        type: typeFor(exception.code),
        title: titleFor(status),
        status,
        detail: exception.message,
        code: exception.code,
        instance,
        ...(exception.errors.length > 0 ? { errors: exception.errors } : {}),
      };
    }
    const parserError = isBodyParserError(exception)
      ? exception
      : exception instanceof HttpException && isBodyParserError(exception.cause)
        ? exception.cause
        : undefined;
    if (parserError) {
      const known = BODY_PARSER_CODES[parserError.type];
      return this.problem(known.status, known.code, known.detail, instance);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_CODES[status] ?? `HTTP.${status}`;
      const detail =
        status === 404
          ? `No route matches ${request.method} ${instance}.`
          : this.httpDetail(exception, status);
      return this.problem(status, code, detail, instance);
    }
    if (isPoolExhausted(exception)) {
      return this.problem(
        C.unavailable.status,
        C.unavailable.code,
        'The service is too busy to answer right now; retry in a moment.',
        instance,
      );
    }
    return this.problem(
      C.internal.status,
      C.internal.code,
      'An unexpected error occurred. It has been logged.',
      instance,
    );
  }

  private httpDetail(exception: HttpException, status: number): string {
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return typeof message === 'string' && status < 500 ? message : titleFor(status);
  }

  private problem(status: number, code: string, detail: string, instance?: string): ProblemDetails {
    return { type: typeFor(code), title: titleFor(status), status, detail, code, instance };
  }
}
