import express, { type Request, type Response, type Router } from 'express';
import { Assistants } from './assistants.js';
import { Credentials } from './credentials.js';
import { PhoneNumbers } from './phone-numbers.js';
import { VapiError, writeVapiError } from './vapi-errors.js';
import {
  VapiOrganization,
  type VapiEmulatorOptions,
  type VapiOrganizationState,
} from './vapi-organization.js';
import type {
  VapiAssistantRecord,
  VapiCredentialRecord,
  VapiPhoneNumberRecord,
  VapiServer,
} from './vapi-wire.js';

export type { VapiOrganizationState };

/**
 * The Vapi emulator: one organization (`vapi-organization.ts`) and its REST resources, each in a file of its own
 * (`phone-numbers.ts`, `assistants.ts`, `credentials.ts`), behind Vapi's Bearer key and error format.
 */
export class VapiEmulator {
  private readonly org: VapiOrganization;
  private readonly phoneNumbers: PhoneNumbers;
  private readonly assistants: Assistants;
  private readonly credentials: Credentials;

  constructor(options: VapiEmulatorOptions) {
    this.org = new VapiOrganization(options);
    this.phoneNumbers = new PhoneNumbers(this.org);
    this.assistants = new Assistants(this.org);
    this.credentials = new Credentials(this.org);
  }

  get orgId(): string {
    return this.org.orgId;
  }

  get byoCredentialId(): string {
    return this.org.byoCredentialId;
  }

  reset(): void {
    this.org.reset();
  }

  exportState(): VapiOrganizationState {
    return this.org.exportState();
  }

  importState(state: VapiOrganizationState): void {
    this.org.importState(state);
  }

  state() {
    return {
      orgId: this.org.orgId,
      phoneNumbers: [...this.org.phoneNumbers.values()],
      assistants: [...this.org.assistants.values()],
      credentials: [...this.org.credentials.values()],
    };
  }

  addAssistant(input: {
    name?: string;
    firstMessage?: string;
    server?: VapiServer;
    id?: string;
  }): VapiAssistantRecord {
    return this.assistants.add(input);
  }

  findPhoneNumber(number: string): VapiPhoneNumberRecord | undefined {
    return this.org.findPhoneNumber(number);
  }

  assistant(id: string | null | undefined): VapiAssistantRecord | undefined {
    return id ? this.org.assistants.get(id) : undefined;
  }

  credential(id: string | undefined): VapiCredentialRecord | undefined {
    return id ? this.org.credentials.get(id) : undefined;
  }

  router(): Router {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }));
    router.use((req, res, next) => {
      const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
      if (!m || m[1] !== this.org.options.apiKey) {
        writeVapiError(
          res,
          401,
          undefined,
          'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
        );
        return;
      }
      next();
    });
    const handle =
      (status: number, fn: (req: Request) => unknown) =>
      (req: Request, res: Response): void => {
        try {
          res.status(status).json(fn(req));
        } catch (error) {
          if (error instanceof VapiError) writeVapiError(res, error.status, undefined, error.body);
          else throw error;
        }
      };
    router.get(
      '/assistant',
      handle(200, (req) => this.assistants.list(req)),
    );
    router.get(
      '/assistant/:id',
      handle(200, (req) => this.assistants.get(req)),
    );
    router.post(
      '/phone-number',
      handle(201, (req) => this.phoneNumbers.create(req.body)),
    );
    router.get(
      '/phone-number',
      handle(200, (req) => this.phoneNumbers.list(req)),
    );
    router.get(
      '/v2/phone-number',
      handle(200, (req) => this.phoneNumbers.listPaginated(req)),
    );
    router.get(
      '/phone-number/:id',
      handle(200, (req) => this.phoneNumbers.get(req)),
    );
    router.patch(
      '/phone-number/:id',
      handle(200, (req) => this.phoneNumbers.update(req)),
    );
    router.delete(
      '/phone-number/:id',
      handle(200, (req) => this.phoneNumbers.delete(req)),
    );
    router.get(
      '/credential',
      handle(200, () => this.credentials.list()),
    );
    router.get(
      '/credential/:id',
      handle(200, (req) => this.credentials.get(req)),
    );
    router.post(
      '/credential',
      handle(201, (req) => this.credentials.create(req.body)),
    );
    router.use((req, res) => writeVapiError(res, 404, undefined, `Cannot ${req.method} ${req.path}`));
    return router;
  }
}
