import { Command } from '@nestjs/cqrs';

/** Buys the number of a requested phone number from Twilio: the `purchase` step. */
export class PurchaseNumberCommand extends Command<void> {
  constructor(readonly numberId: string) {
    super();
  }
}
