import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DetachFromVapiCommand } from '../../voice-agent/index.js';
import type { PhoneNumber } from '../phone-number.entity.js';

/**
 * The `detach` step's work: Vapi holds the number no more, so calls to it no longer reach the agent. One round trip
 * (`DELETE /phone-number/:id`) for a number that was live. A number whose registration was never recorded (its
 * release cancelled the provisioning, or the restore, mid-way) but that Twilio sold us may still be in Vapi: it is
 * looked up by its E.164 number first (one filtered request). Deleting what Vapi no longer has is no error.
 */
@Injectable()
export class DetachStep {
  constructor(private readonly commands: CommandBus) {}

  async detach(number: Readonly<PhoneNumber>): Promise<void> {
    await this.commands.execute(
      new DetachFromVapiCommand({ vapiNumberId: number.vapiNumberId, e164: number.e164 }),
    );
  }
}
