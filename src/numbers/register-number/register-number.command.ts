import { Command } from '@nestjs/cqrs';

/** Registers a bought number with Vapi, routed from Twilio: the `register` step. */
export class RegisterNumberCommand extends Command<void> {
  constructor(readonly numberId: string) {
    super();
  }
}
