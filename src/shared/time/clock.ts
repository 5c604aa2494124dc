import { Injectable } from '@nestjs/common';

/** The time, as a port: tests replace it with a `FakeClock` to move time without waiting. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
