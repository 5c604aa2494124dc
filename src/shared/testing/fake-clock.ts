import { Clock } from '../time/clock.js';

/** A clock that only moves when told to. */
export class FakeClock extends Clock {
  private current: number;

  constructor(start: Date | string = '2026-11-24T12:00:00.000Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
