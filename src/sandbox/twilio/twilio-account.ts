import type { SandboxIds } from '../sandbox-ids.js';
import { TWILIO_CODES, TwilioError } from './twilio-errors.js';
import { TwilioInventory } from './twilio-inventory.js';
import { API, type IncomingPhoneNumber, type TwilioTrunk } from './twilio-wire.js';

/** What the sandbox keeps of the account between starts; the numbers for sale follow from the seed and `sold`. */
export interface TwilioAccountState {
  owned: IncomingPhoneNumber[];
  trunks: TwilioTrunk[];
  released: string[];
  sold: string[];
  /** The customers' accounts (absent in state saved before they existed). */
  customers?: CustomerAccountState[];
}

/** A customer's own Twilio account: its credentials and the numbers it owns; it buys from the same market. */
export interface CustomerAccountState {
  accountSid: string;
  authToken: string;
  friendlyName: string;
  owned: IncomingPhoneNumber[];
  released: string[];
}

export interface TwilioEmulatorOptions {
  accountSid: string;
  authToken: string;
  seed: number;
  ids: SandboxIds;
  /**
   * The account whose numbers for sale this one buys from: a customer's account shares the service's market (a
   * number either account owns is for sale to neither), and has no SIP trunk of its own.
   */
  market?: TwilioAccount;
}

/** The emulated account's state, which every resource reads and changes: numbers for sale, owned, SIP trunks. */
export class TwilioAccount {
  readonly accountSid: string;
  readonly authToken: string;
  readonly trunkSid: string;
  readonly ids: SandboxIds;
  /** A customer's account's name, as the control panel shows it. */
  friendlyName = 'AfterHourFix';
  private inventory: TwilioInventory;
  owned = new Map<string, IncomingPhoneNumber>();
  trunks = new Map<string, TwilioTrunk>();
  /** Released numbers: they do not go back on sale at once (Twilio keeps them aside for a while). */
  released = new Set<string>();

  constructor(private readonly options: TwilioEmulatorOptions) {
    this.accountSid = options.accountSid;
    this.authToken = options.authToken;
    this.ids = options.ids;
    this.trunkSid = options.ids.sid('TK', 'byo-sip-trunk');
    this.inventory = new TwilioInventory(options.seed);
    this.reset();
  }

  /** The numbers for sale: the market's, for a customer's account. */
  get available(): TwilioInventory {
    return this.options.market?.available ?? this.inventory;
  }

  reset(): void {
    this.inventory = new TwilioInventory(this.options.seed);
    this.owned = new Map();
    this.released = new Set();
    this.trunks = this.options.market
      ? new Map()
      : new Map([[this.trunkSid, { sid: this.trunkSid, friendly_name: 'Vapi BYO SIP trunk' }]]);
  }

  exportState(): TwilioAccountState {
    return {
      owned: [...this.owned.values()],
      trunks: [...this.trunks.values()],
      released: [...this.released],
      sold: this.available.sold(),
    };
  }

  importState(state: TwilioAccountState): void {
    this.owned = new Map(state.owned.map((n) => [n.sid, n]));
    this.trunks = new Map(state.trunks.map((t) => [t.sid, t]));
    this.released = new Set(state.released);
    this.inventory = new TwilioInventory(this.options.seed, state.sold);
  }

  findOwnedByNumber(phoneNumber: string): IncomingPhoneNumber | undefined {
    return [...this.owned.values()].find((n) => n.phone_number === phoneNumber);
  }

  /** The owned number with this SID; Twilio's 20404 otherwise. */
  mustFindOwned(sid: string): IncomingPhoneNumber {
    const number = this.owned.get(sid);
    if (!number) {
      throw new TwilioError(
        404,
        TWILIO_CODES.notFound,
        `The requested resource ${this.numberUri(sid)} was not found`,
      );
    }
    return number;
  }

  numberUri(sid: string, ext = '.json'): string {
    return `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers/${sid}${ext}`;
  }
}
