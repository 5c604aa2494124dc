import express, { type Request, type Response, type Router } from 'express';
import { AvailablePhoneNumbers } from './available-phone-numbers.js';
import { IncomingPhoneNumbers } from './incoming-phone-numbers.js';
import { TwilioAccount, type TwilioAccountState, type TwilioEmulatorOptions } from './twilio-account.js';
import { TWILIO_CODES, TwilioError, writeTwilioError } from './twilio-errors.js';
import { API, TYPES_BY_PATH, type IncomingPhoneNumber } from './twilio-wire.js';

export type { TwilioAccountState };

/**
 * The Twilio emulator: one account (`twilio-account.ts`) and its REST resources, each in a file of its own
 * (`available-phone-numbers.ts`, `incoming-phone-numbers.ts`), behind Twilio's authentication and error format.
 */
export class TwilioEmulator {
  private readonly account: TwilioAccount;
  private readonly available: AvailablePhoneNumbers;
  private readonly incoming: IncomingPhoneNumbers;

  constructor(options: TwilioEmulatorOptions) {
    this.account = new TwilioAccount(options);
    this.available = new AvailablePhoneNumbers(this.account);
    this.incoming = new IncomingPhoneNumbers(this.account);
  }

  get accountSid(): string {
    return this.account.accountSid;
  }

  get authToken(): string {
    return this.account.authToken;
  }

  get trunkSid(): string {
    return this.account.trunkSid;
  }

  reset(): void {
    this.account.reset();
  }

  exportState(): TwilioAccountState {
    return this.account.exportState();
  }

  importState(state: TwilioAccountState): void {
    this.account.importState(state);
  }

  state() {
    const { account } = this;
    return {
      accountSid: account.accountSid,
      trunks: [...account.trunks.values()],
      incomingPhoneNumbers: [...account.owned.values()],
      released: [...account.released],
      availableCount: account.available.size,
      available: [...account.available.values()],
    };
  }

  findOwnedByNumber(phoneNumber: string): IncomingPhoneNumber | undefined {
    return this.account.findOwnedByNumber(phoneNumber);
  }

  /** Applies update parameters (PascalCase, as on the wire) to an owned number: Vapi's import uses this. */
  configure(sid: string, params: Record<string, string>): IncomingPhoneNumber {
    return this.incoming.configure(sid, params);
  }

  router(): Router {
    const router = express.Router();
    router.use(express.urlencoded({ extended: false }));
    router.use((req, res, next) => {
      if (!this.authenticated(req)) {
        writeTwilioError(res, 401, TWILIO_CODES.authenticate, 'Authenticate');
        return;
      }
      next();
    });
    const handle =
      (fn: (req: Request, res: Response) => void) =>
      (req: Request, res: Response): void => {
        try {
          fn(req, res);
        } catch (error) {
          if (error instanceof TwilioError) writeTwilioError(res, error.status, error.code, error.message);
          else throw error;
        }
      };
    const account = `${API}/Accounts/:accountSid`;
    router.use(`${account}`, (req, res, next) => {
      if (req.params.accountSid !== this.account.accountSid) {
        writeTwilioError(res, 401, TWILIO_CODES.authenticate, 'Authenticate');
        return;
      }
      next();
    });
    router.get(
      `${account}/AvailablePhoneNumbers/:country/:type.json`,
      handle((req, res) => this.available.search(req, res)),
    );
    router.get(
      `${account}/IncomingPhoneNumbers.json`,
      handle((req, res) => this.incoming.list(req, res)),
    );
    router.post(
      `${account}/IncomingPhoneNumbers.json`,
      handle((req, res) => this.incoming.create(req, res, undefined)),
    );
    router.get(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => this.incoming.fetch(req, res)),
    );
    router.post(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => {
        const typed =
          TYPES_BY_PATH[String(req.params.sid)] ?? (req.params.sid === 'Mobile' ? 'mobile' : undefined);
        if (typed) this.incoming.create(req, res, typed);
        else this.incoming.update(req, res);
      }),
    );
    router.delete(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => this.incoming.remove(req, res)),
    );
    router.use((req, res) =>
      writeTwilioError(res, 404, TWILIO_CODES.notFound, `The requested resource ${req.path} was not found`),
    );
    return router;
  }

  private authenticated(req: Request): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^Basic (.+)$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return (
      decoded.slice(0, colon) === this.account.accountSid &&
      decoded.slice(colon + 1) === this.account.authToken
    );
  }
}
