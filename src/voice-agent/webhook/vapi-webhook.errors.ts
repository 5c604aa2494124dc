import { InvalidInputError, UnauthorizedError, type FieldProblem } from '../../shared/errors/index.js';

/** The webhook's secret is missing or wrong; nothing was read. */
export class InvalidWebhookSecretError extends UnauthorizedError {
  static override readonly code = 'VAPI.INVALID_SECRET';

  constructor() {
    super('The webhook secret is missing or wrong.');
  }
}

/** The body is not a Vapi server message; `errors[]` says what is wrong with it. */
export class MalformedVapiMessageError extends InvalidInputError {
  static override readonly code = 'VAPI.MALFORMED_MESSAGE';

  constructor(errors: FieldProblem[]) {
    super('The body is not a Vapi server message.', {}, errors);
  }
}
