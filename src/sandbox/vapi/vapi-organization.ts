import type { SandboxIds } from '../sandbox-ids.js';
import type { TwilioEmulator } from '../twilio/twilio-emulator.js';
import type { VapiAssistantRecord, VapiCredentialRecord, VapiPhoneNumberRecord } from './vapi-wire.js';

/** What the sandbox keeps of the organization between starts. */
export interface VapiOrganizationState {
  phoneNumbers: VapiPhoneNumberRecord[];
  assistants: VapiAssistantRecord[];
  credentials: VapiCredentialRecord[];
  /** The last `createdAt`/`updatedAt` handed out, so that times keep increasing across a restart. */
  lastTimestamp: number;
}

export interface VapiEmulatorOptions {
  apiKey: string;
  ids: SandboxIds;
  twilio: TwilioEmulator;
  /** Where Vapi's own Twilio voice webhook lives; set on imported Twilio numbers. */
  inboundUrl: () => string;
}

/** The emulated organization's state, which every resource reads and changes. */
export class VapiOrganization {
  readonly orgId: string;
  readonly byoCredentialId: string;
  phoneNumbers = new Map<string, VapiPhoneNumberRecord>();
  assistants = new Map<string, VapiAssistantRecord>();
  credentials = new Map<string, VapiCredentialRecord>();
  private lastTimestamp = 0;

  constructor(readonly options: VapiEmulatorOptions) {
    this.orgId = options.ids.uuid('org');
    this.byoCredentialId = options.ids.uuid('byo-sip-trunk-credential');
    this.reset();
  }

  reset(): void {
    this.phoneNumbers = new Map();
    const now = this.now();
    this.assistants = new Map(
      ['Front desk', 'After-hours dispatcher', 'Spanish line'].map((name, i) => {
        const id = this.options.ids.uuid(`assistant:${i}`);
        return [
          id,
          {
            id,
            orgId: this.orgId,
            name,
            firstMessage: `Hello, this is ${name}.`,
            createdAt: now,
            updatedAt: now,
          },
        ];
      }),
    );
    this.credentials = new Map([
      [
        this.byoCredentialId,
        {
          id: this.byoCredentialId,
          orgId: this.orgId,
          provider: 'byo-sip-trunk',
          name: 'Twilio Elastic SIP trunk',
          gateways: [{ ip: '54.172.60.0', netmask: 30, inboundEnabled: true, outboundEnabled: true }],
          outboundLeadingPlusEnabled: true,
          createdAt: now,
          updatedAt: now,
        },
      ],
    ]);
  }

  exportState(): VapiOrganizationState {
    return {
      phoneNumbers: [...this.phoneNumbers.values()],
      assistants: [...this.assistants.values()],
      credentials: [...this.credentials.values()],
      lastTimestamp: this.lastTimestamp,
    };
  }

  importState(state: VapiOrganizationState): void {
    this.phoneNumbers = new Map(state.phoneNumbers.map((p) => [p.id, p]));
    this.assistants = new Map(state.assistants.map((a) => [a.id, a]));
    this.credentials = new Map(state.credentials.map((c) => [c.id, c]));
    this.lastTimestamp = state.lastTimestamp;
  }

  findPhoneNumber(number: string): VapiPhoneNumberRecord | undefined {
    return [...this.phoneNumbers.values()].find(
      (p) => p.number === number || p.number === number.replace(/^\+/, ''),
    );
  }

  /** ISO time, strictly increasing, so that `createdAt` orders records and date filters page reliably. */
  now(): string {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return new Date(this.lastTimestamp).toISOString();
  }
}
