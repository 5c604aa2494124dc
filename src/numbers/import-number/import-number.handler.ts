import { randomUUID } from 'node:crypto';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { IdempotentResponse } from '../../shared/idempotency/index.js';
import { isTwilioAuthenticationFailure, TelephonyPort } from '../../telephony/index.js';
import { TenantQuotas } from '../../tenancy/index.js';
import { VoiceAgentPort } from '../../voice-agent/index.js';
import { NumberOutcome } from '../number-outcome.js';
import { projectAndAgent } from '../project-and-agent.js';
import { isHeldByAnyone } from '../held-number.js';
import { LIVE_NUMBERS_QUERY, PhoneNumber, type NumberImport } from '../phone-number.entity.js';
import {
  NumberAlreadyHeldError,
  NumberNotOwnedError,
  NumberQuotaExceededError,
  SipCredentialNotFoundError,
  TwilioCredentialsRejectedError,
} from '../phone-number.errors.js';
import { CustomerTokenSeal } from './customer-token-seal.js';
import { ImportNumberCommand } from './import-number.command.js';
import type { ImportNumberDto } from './import-number.dto.js';

const KIND_OF_SOURCE = { twilio: 'imported-twilio', sip: 'imported-sip' } as const;

/**
 * Step 0 of the import flow (`provisioning/number-import.process-manager.ts`), in the request: nothing is written and
 * nothing reaches Vapi until the customer has proved the number is theirs and no project of ours holds it.
 *
 * - A number a project holds is refused (409 `NUMBERS.ALREADY_HELD`), before the customer's credentials are used:
 *   another tenant's (asked through the narrow `phone_number_is_held`) or another project's. The same import again
 *   (this project, this source) answers the number as it stands: a retried click is harmless.
 * - Twilio: one call to the customer's own account with their credentials (a client for this request only, never the
 *   service's account): the number must be among its `IncomingPhoneNumbers` (422 `NUMBERS.NOT_OWNED`), and Twilio
 *   must accept the credentials (422 `NUMBERS.TWILIO_CREDENTIALS_REJECTED`). The token is then sealed into the row.
 * - SIP: Vapi must have the `byo-sip-trunk` credential (422 `NUMBERS.SIP_CREDENTIAL_NOT_FOUND`).
 * - The intent counts like a purchase against `TENANT_MAX_NUMBERS` and `TENANT_PURCHASES_PER_MINUTE`; the live-number
 *   unique index settles two imports of one number at once (the second is 409).
 */
@CommandHandler(ImportNumberCommand)
export class ImportNumberHandler implements ICommandHandler<ImportNumberCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: QueryBus,
    private readonly quotas: TenantQuotas,
    private readonly telephony: TelephonyPort,
    private readonly voiceAgent: VoiceAgentPort,
    private readonly seal: CustomerTokenSeal,
    private readonly outcome: NumberOutcome,
  ) {}

  async execute({ tenantId, request }: ImportNumberCommand): Promise<IdempotentResponse> {
    await projectAndAgent(this.queries, request);

    const ours = await this.em.findOne(PhoneNumber, { e164: request.number, status: { $ne: 'released' } });
    if (ours?.projectId === request.projectId && ours.kind === KIND_OF_SOURCE[request.source])
      return this.outcome.of(ours.id);
    if (ours || (await isHeldByAnyone(this.em, request.number)))
      throw new NumberAlreadyHeldError(request.number);

    const numberId = randomUUID();
    const source = await this.prove(request, numberId);
    // The number as its creation commits it is the answer's first state (no read of it).
    return this.outcome.ofCreated(numberId, () => this.recordIntent(tenantId, numberId, request, source));
  }

  /** The customer's proof that the number is theirs, and how Vapi will reach it. */
  private async prove(request: ImportNumberDto, numberId: string): Promise<NumberImport> {
    if (request.source === 'sip') {
      const credential = await this.voiceAgent.getCredential(request.credentialId!);
      if (credential?.provider !== 'byo-sip-trunk')
        throw new SipCredentialNotFoundError(request.credentialId!);
      return { kind: 'imported-sip', e164: request.number, sipCredentialId: credential.id };
    }
    const credentials = { accountSid: request.twilioAccountSid!, authToken: request.twilioAuthToken! };
    let owned;
    try {
      owned = await this.telephony.inAccount(credentials).findOwnedByNumber(request.number);
    } catch (error) {
      if (isTwilioAuthenticationFailure(error)) throw new TwilioCredentialsRejectedError();
      throw error;
    }
    if (!owned) throw new NumberNotOwnedError(request.number);
    return {
      kind: 'imported-twilio',
      e164: owned.phoneNumber,
      twilioSid: owned.sid,
      customerTwilioAccountSid: credentials.accountSid,
      sealedTwilioAuthToken: this.seal.seal(credentials.authToken, numberId),
    };
  }

  private async recordIntent(
    tenantId: string,
    numberId: string,
    request: ImportNumberDto,
    source: NumberImport,
  ): Promise<PhoneNumber> {
    try {
      return await this.em.transactional(async (tx) => {
        const reservation = await this.quotas.reservePurchase(tenantId, {
          liveNumbersQuery: LIVE_NUMBERS_QUERY,
        });
        if (!reservation.reserved) throw new NumberQuotaExceededError(reservation.maxNumbers);
        const number = PhoneNumber.imported(
          { id: numberId, tenantId, projectId: request.projectId, agentId: request.agentId },
          source,
        );
        tx.persist(number);
        return number;
      });
    } catch (error) {
      // Another import (or purchase) of this very number won the race.
      if (error instanceof UniqueConstraintViolationException)
        throw new NumberAlreadyHeldError(request.number);
      throw error;
    }
  }
}
