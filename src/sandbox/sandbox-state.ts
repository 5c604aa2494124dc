import type { SandboxIds, SandboxIdsState } from './sandbox-ids.js';
import { SandboxStateError, SandboxStore } from './sandbox-store.js';
import type { TwilioAccountState, TwilioEmulator } from './twilio/twilio-emulator.js';
import type { VapiEmulator, VapiOrganizationState } from './vapi/vapi-emulator.js';

/** What `state.json` holds: everything the emulated Twilio account and Vapi organisation would remember. */
export interface SandboxSnapshot {
  version: typeof SNAPSHOT_VERSION;
  /** The sandbox it belongs to: the inventory and every id follow from the seed. */
  seed: number;
  twilioAccountSid: string;
  savedAt: string;
  ids: SandboxIdsState;
  twilio: TwilioAccountState;
  vapi: VapiOrganizationState;
}

const SNAPSHOT_VERSION = 1;

/**
 * The emulators' state as one whole: saved to the store after every change (the emulators call `changed()`
 * before they answer), loaded from it at start, emptied by a reset. Faults, traffic settings, the request log and
 * simulated calls are the control panel's, not the providers': they are not kept.
 */
export class SandboxState {
  private store: SandboxStore = SandboxStore.inMemory();

  constructor(
    private readonly parts: { seed: number; ids: SandboxIds; twilio: TwilioEmulator; vapi: VapiEmulator },
  ) {}

  get location(): string | undefined {
    return this.store.location;
  }

  /**
   * Keeps the state in this store from now on: what it holds replaces the emulators' state (a restart finds
   * everything), or, when it holds nothing, the emulators' state is saved in it.
   */
  use(store: SandboxStore): void {
    const saved = store.load();
    try {
      if (saved !== undefined) this.restore(saved, store.location ?? 'the store');
    } catch (error) {
      store.close();
      throw error;
    }
    this.store.close();
    this.store = store;
    if (saved === undefined) this.changed();
  }

  /** Saves the whole state; called after every change, before it is answered. */
  changed(): void {
    if (this.store.location !== undefined) this.store.save(this.snapshot());
  }

  /** Back to the seeded state, saved as such. */
  reset(): void {
    const { ids, twilio, vapi } = this.parts;
    ids.reset();
    twilio.reset();
    vapi.reset();
    this.changed();
  }

  close(): void {
    this.store.close();
  }

  private snapshot(): SandboxSnapshot {
    const { seed, ids, twilio, vapi } = this.parts;
    return {
      version: SNAPSHOT_VERSION,
      seed,
      twilioAccountSid: twilio.accountSid,
      savedAt: new Date().toISOString(),
      ids: ids.exportState(),
      twilio: twilio.exportState(),
      vapi: vapi.exportState(),
    };
  }

  private restore(saved: unknown, where: string): void {
    const { seed, ids, twilio, vapi } = this.parts;
    const s = saved as Partial<SandboxSnapshot>;
    if (s.version !== SNAPSHOT_VERSION) {
      throw new SandboxStateError(
        `the sandbox's state in ${where} has version ${String(s.version)}, not ${SNAPSHOT_VERSION}; ` +
          'delete it to start again from the seeded inventory',
      );
    }
    if (s.seed !== seed || s.twilioAccountSid !== twilio.accountSid) {
      throw new SandboxStateError(
        `the sandbox's state in ${where} belongs to another sandbox (seed ${String(s.seed)}, Twilio account ` +
          `${String(s.twilioAccountSid)}); start with the same settings, or give this one a directory of its own`,
      );
    }
    ids.importState(s.ids!);
    twilio.importState(s.twilio!);
    vapi.importState(s.vapi!);
  }
}
