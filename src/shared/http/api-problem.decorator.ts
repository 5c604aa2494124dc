import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:afterhourfix:problem:VALIDATION.FAILED' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** Documents an error answer: RFC 9457 problem details with one of the given stable codes. */
export function ApiProblem(
  status: number,
  codes: string[],
  description: string,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiResponse({
      status,
      description: `${description} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
    }),
  );
}

/** The answers every authenticated endpoint may give. */
export function ApiAuthenticatedProblems(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiProblem(401, ['AUTH.INVALID_TOKEN'], 'Missing, malformed, expired or wrongly signed bearer token.'),
  );
}
