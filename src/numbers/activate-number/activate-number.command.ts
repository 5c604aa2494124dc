import { Command } from '@nestjs/cqrs';

/** Reads both sides back and, if calls will reach the agent, makes the number active: the `activate` step. */
export class ActivateNumberCommand extends Command<void> {
  constructor(readonly numberId: string) {
    super();
  }
}
