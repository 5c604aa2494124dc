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
}

export interface TwilioEmulatorOptions {
  accountSid: string;
  authToken: string;
  seed: number;
  ids: SandboxIds;
}

/** The emulated account's state, which every resource reads and changes: numbers for sale, owned, SIP trunks. */
export class TwilioAccount {
  readonly accountSid: string;
  readonly authToken: string;
  readonly trunkSid: string;
  readonly ids: SandboxIds;
  available: TwilioInventory;
  owned = new Map<string, IncomingPhoneNumber>();
  trunks = new Map<string, TwilioTrunk>();
  /** Released numbers: they do not go back on sale at once (Twilio keeps them aside for a while). */
  released = new Set<string>();

  constructor(private readonly options: TwilioEmulatorOptions) {
    this.accountSid = options.accountSid;
    this.authToken = options.authToken;
    this.ids = options.ids;
    this.trunkSid = options.ids.sid('TK', 'byo-sip-trunk');
    this.available = new TwilioInventory(options.seed);
    this.reset();
  }

  reset(): void {
    this.available = new TwilioInventory(this.options.seed);
    this.owned = new Map();
    this.released = new Set();
    this.trunks = new Map([[this.trunkSid, { sid: this.trunkSid, friendly_name: 'Vapi BYO SIP trunk' }]]);
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
    this.available = new TwilioInventory(this.options.seed, state.sold);
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
