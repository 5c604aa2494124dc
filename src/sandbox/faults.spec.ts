import { describe, expect, it } from '@jest/globals';
import { matchesGlob } from './faults.js';

describe('matchesGlob', () => {
  it.each([
    ['/phone-number', '/phone-number', true],
    ['/phone-number', '/phone-number/abc', false],
    ['*IncomingPhoneNumbers*', '/2010-04-01/Accounts/AC1/IncomingPhoneNumbers.json', true],
    ['*IncomingPhoneNumbers*', '/2010-04-01/Accounts/AC1/AvailablePhoneNumbers/US/Local.json', false],
    ['/2010-04-01/*/Local.json', '/2010-04-01/Accounts/AC1/AvailablePhoneNumbers/US/Local.json', true],
    ['*', '', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*ab*ab*', 'xabyab', true],
    ['*ab*ab*', 'xaby', false],
    ['(.+)', '/anything', false],
    ['(a+)+', '(a+)+', true],
  ])('%s against %s: %s', (pattern, text, expected) => {
    expect(matchesGlob(pattern, text)).toBe(expected);
  });

  it('takes linear time on patterns that would make a backtracking matcher explode', () => {
    const text = 'a'.repeat(200_000);
    const started = performance.now();
    expect(matchesGlob(`${'*a'.repeat(500)}*b`, text)).toBe(false);
    expect(matchesGlob(`*${'a*'.repeat(500)}`, text)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
