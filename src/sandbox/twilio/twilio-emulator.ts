import express, { type Request, type Response, type Router } from 'express';
import { AvailablePhoneNumbers } from './available-phone-numbers.js';
import { IncomingPhoneNumbers } from './incoming-phone-numbers.js';
import {
  TwilioAccount,
  type CustomerAccountState,
  type TwilioAccountState,
  type TwilioEmulatorOptions,
} from './twilio-account.js';
import { TWILIO_CODES, TwilioError, writeTwilioError } from './twilio-errors.js';
import { isValidAreaCode } from './twilio-inventory.js';
import { API, TYPES_BY_PATH, type IncomingPhoneNumber } from './twilio-wire.js';

export type { TwilioAccountState };

/** What `POST /__sandbox/twilio/accounts` asks for: a customer's account and the numbers it starts with. */
export interface CustomerAccountRequest {
  friendlyName?: string;
  /** Numbers for sale to give the account (E.164); else `count` numbers of `areaCode`. */
  numbers?: string[];
  areaCode?: string;
  count?: number;
}

/** One account's REST resources. */
interface AccountResources {
  account: TwilioAccount;
  available: AvailablePhoneNumbers;
  incoming: IncomingPhoneNumbers;
}

const MAX_CUSTOMER_NUMBERS = 20;

/**
 * The Twilio emulator: the service's account (`twilio-account.ts`), the customers' own accounts (which buy from the
 * same market), and their REST resources, each in a file of its own (`available-phone-numbers.ts`,
 * `incoming-phone-numbers.ts`), behind Twilio's authentication (each request is its account's, by SID and auth
 * token) and error format.
 */
export class TwilioEmulator {
  private readonly account: TwilioAccount;
  private readonly accounts = new Map<string, AccountResources>();

  constructor(private readonly options: TwilioEmulatorOptions) {
    this.account = new TwilioAccount(options);
    this.add(this.account);
  }

  private add(account: TwilioAccount): AccountResources {
    const resources = {
      account,
      available: new AvailablePhoneNumbers(account),
      incoming: new IncomingPhoneNumbers(account),
    };
    this.accounts.set(account.accountSid, resources);
    return resources;
  }

  private customers(): TwilioAccount[] {
    return [...this.accounts.values()].map((r) => r.account).filter((a) => a !== this.account);
  }

  private newCustomer(state: Omit<CustomerAccountState, 'owned' | 'released'>): TwilioAccount {
    const account = new TwilioAccount({
      ...this.options,
      accountSid: state.accountSid,
      authToken: state.authToken,
      market: this.account,
    });
    account.friendlyName = state.friendlyName;
    this.add(account);
    return account;
  }

  /**
   * A customer's own Twilio account, with numbers of its own taken from the market (so that no one can buy them):
   * the named ones (each must be for sale and need no address), or `count` (default 1) of `areaCode` (default 205).
   */
  createCustomerAccount(request: CustomerAccountRequest) {
    const { numbers, areaCode = '205', count = 1 } = request ?? {};
    if (numbers !== undefined && (!Array.isArray(numbers) || numbers.some((n) => typeof n !== 'string')))
      throw new Error('numbers must be an array of E.164 numbers');
    if (!Number.isInteger(count) || count < 0 || count > MAX_CUSTOMER_NUMBERS)
      throw new Error(`count must be an integer from 0 to ${MAX_CUSTOMER_NUMBERS}`);
    if (!isValidAreaCode(areaCode)) throw new Error(`areaCode ${areaCode} is not valid`);
    const market = this.account.available;
    let items;
    if (numbers !== undefined) {
      items = numbers.map((n) => {
        const found = market.get(n);
        if (!found || found.addressRequirements !== 'none')
          throw new Error(`${n} is not for sale without an address`);
        return found;
      });
    } else {
      market.stock([areaCode]);
      items = [...market.values()]
        .filter((n) => n.areaCode === areaCode && n.type === 'local' && n.addressRequirements === 'none')
        .slice(0, count);
      if (items.length < count)
        throw new Error(`area code ${areaCode} has fewer than ${count} numbers for sale`);
    }
    const accountSid = this.options.ids.next('AC', 'customer-account');
    const account = this.newCustomer({
      accountSid,
      authToken: this.options.ids.hex(`customer-auth-token:${accountSid}`),
      friendlyName: request?.friendlyName ?? `Customer ${accountSid.slice(-6)}`,
    });
    const resources = this.accounts.get(accountSid)!;
    const owned = items.map((item) => resources.incoming.give(item));
    return {
      accountSid,
      authToken: account.authToken,
      friendlyName: account.friendlyName,
      incomingPhoneNumbers: owned.map((n) => ({ sid: n.sid, phoneNumber: n.phone_number })),
    };
  }

  /** The account with these credentials (the service's or a customer's), or undefined. */
  authenticate(accountSid: unknown, authToken: unknown): TwilioAccount | undefined {
    const found = typeof accountSid === 'string' ? this.accounts.get(accountSid)?.account : undefined;
    return found && authToken === found.authToken ? found : undefined;
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
    for (const customer of this.customers()) this.accounts.delete(customer.accountSid);
    this.account.reset();
  }

  exportState(): TwilioAccountState {
    return {
      ...this.account.exportState(),
      customers: this.customers().map((c) => ({
        accountSid: c.accountSid,
        authToken: c.authToken,
        friendlyName: c.friendlyName,
        owned: [...c.owned.values()],
        released: [...c.released],
      })),
    };
  }

  importState(state: TwilioAccountState): void {
    this.reset();
    this.account.importState(state);
    for (const saved of state.customers ?? []) {
      const customer = this.newCustomer(saved);
      customer.owned = new Map(saved.owned.map((n) => [n.sid, n]));
      customer.released = new Set(saved.released);
    }
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
      customerAccounts: this.customers().map((c) => ({
        accountSid: c.accountSid,
        authToken: c.authToken,
        friendlyName: c.friendlyName,
        incomingPhoneNumbers: [...c.owned.values()],
        released: [...c.released],
      })),
    };
  }

  /** The number an account (the service's unless named) owns. */
  findOwnedByNumber(
    phoneNumber: string,
    account: TwilioAccount = this.account,
  ): IncomingPhoneNumber | undefined {
    return account.findOwnedByNumber(phoneNumber);
  }

  /** Applies update parameters (PascalCase, as on the wire) to an owned number: Vapi's import uses this. */
  configure(
    sid: string,
    params: Record<string, string>,
    account: TwilioAccount = this.account,
  ): IncomingPhoneNumber {
    return this.accounts.get(account.accountSid)!.incoming.configure(sid, params);
  }

  router(): Router {
    const router = express.Router();
    router.use(express.urlencoded({ extended: false }));
    router.use((req, res, next) => {
      const account = this.authenticated(req);
      if (!account) {
        writeTwilioError(res, 401, TWILIO_CODES.authenticate, 'Authenticate');
        return;
      }
      res.locals.twilio = this.accounts.get(account.accountSid);
      next();
    });
    const of = (res: Response) => res.locals.twilio as AccountResources;
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
      if (req.params.accountSid !== of(res).account.accountSid) {
        writeTwilioError(res, 401, TWILIO_CODES.authenticate, 'Authenticate');
        return;
      }
      next();
    });
    router.get(
      `${account}/AvailablePhoneNumbers/:country/:type.json`,
      handle((req, res) => of(res).available.search(req, res)),
    );
    router.get(
      `${account}/IncomingPhoneNumbers.json`,
      handle((req, res) => of(res).incoming.list(req, res)),
    );
    router.post(
      `${account}/IncomingPhoneNumbers.json`,
      handle((req, res) => of(res).incoming.create(req, res, undefined)),
    );
    router.get(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => of(res).incoming.fetch(req, res)),
    );
    router.post(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => {
        const typed =
          TYPES_BY_PATH[String(req.params.sid)] ?? (req.params.sid === 'Mobile' ? 'mobile' : undefined);
        if (typed) of(res).incoming.create(req, res, typed);
        else of(res).incoming.update(req, res);
      }),
    );
    router.delete(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => of(res).incoming.remove(req, res)),
    );
    router.use((req, res) =>
      writeTwilioError(res, 404, TWILIO_CODES.notFound, `The requested resource ${req.path} was not found`),
    );
    return router;
  }

  /** The account whose SID and auth token the request's Basic credentials carry. */
  private authenticated(req: Request): TwilioAccount | undefined {
    const header = req.headers.authorization ?? '';
    const m = /^Basic (.+)$/i.exec(header);
    if (!m) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return this.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
}
