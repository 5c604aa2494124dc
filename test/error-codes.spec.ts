import { globSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DomainError, ProviderFailures, STATUS_BY_KIND } from '../src/shared/errors/index.js';
import { HTTP_LAYER_CODES } from '../src/shared/http/http.errors.js';

const ROOT = resolve(import.meta.dirname, '..');
/** What the README's status column says of a code that is never an HTTP answer. */
const RECORDED = '(step)';

interface Definition {
  status: string;
  where: string;
}

/**
 * Every code the service defines: each error class with a code of its own and each adapter's provider failures,
 * in every `src/**\/*.errors.ts`, and the HTTP layer's codes. A code defined twice is a failure.
 */
async function definedCodes(): Promise<{ codes: Map<string, Definition>; twice: string[] }> {
  const codes = new Map<string, Definition>();
  const twice: string[] = [];
  const define = (code: string, status: number | string, where: string) => {
    const earlier = codes.get(code);
    if (earlier) twice.push(`${code}: ${earlier.where} and ${where}`);
    else codes.set(code, { status: String(status), where });
  };

  for (const file of globSync('src/**/*.errors.ts', { cwd: ROOT }).sort()) {
    const exports = (await import(resolve(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      const where = `${file} (${name})`;
      if (
        typeof value === 'function' &&
        value.prototype instanceof DomainError &&
        Object.hasOwn(value, 'code')
      ) {
        const type = value as unknown as typeof DomainError;
        define(type.code!, type.recordedOnly ? RECORDED : STATUS_BY_KIND[type.kind!], where);
      } else if (value instanceof ProviderFailures) {
        for (const code of Object.values(value.codes))
          define(code, STATUS_BY_KIND['provider-failure'], where);
      }
    }
  }
  for (const [name, { code, status }] of Object.entries(HTTP_LAYER_CODES)) {
    const byClass = codes.get(code);
    // An entry may name a class's code (401, 429 answers): the class is its definition, with the same status.
    if (byClass && byClass.status !== String(status)) {
      twice.push(`${code}: ${byClass.where} and HTTP_LAYER_CODES.${name} with ${status}`);
    } else if (!byClass) define(code, status, `src/shared/http/http.errors.ts (HTTP_LAYER_CODES.${name})`);
  }
  return { codes, twice };
}

/** The README's "Error codes" table: code → status column. */
function readmeCodes(): Map<string, string> {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Error codes'),
    readme.indexOf('\n## ', readme.indexOf('\n## Error codes') + 1),
  );
  const rows = [...section.matchAll(/^\| `([A-Z_.]+)` \| ([^|]+?) \|/gm)];
  return new Map(rows.map(([, code, status]) => [code!, status!.trim()]));
}

describe('error codes', () => {
  it('has one definition per code', async () => {
    const { codes, twice } = await definedCodes();
    expect(twice).toEqual([]);
    // The scan found the modules' codes (a broken glob would find none and compare nothing).
    expect([...codes.keys()]).toEqual(
      expect.arrayContaining([
        'NUMBERS.NOT_FOUND',
        'TELEPHONY.UNREACHABLE',
        'VOICE_AGENT.RATE_LIMITED',
        'ROUTE.NOT_FOUND',
      ]),
    );
  });

  it('lists in the README every code the service defines, with its status, and no other', async () => {
    const { codes } = await definedCodes();
    const defined = Object.fromEntries([...codes].map(([code, { status }]) => [code, status]));
    const documented = Object.fromEntries(readmeCodes());
    const missing = Object.keys(defined).filter((code) => !(code in documented));
    const unknown = Object.keys(documented).filter((code) => !(code in defined));
    const differing = Object.keys(defined)
      .filter((code) => code in documented && documented[code] !== defined[code])
      .map(
        (code) =>
          `${code}: README ${documented[code]}, defined ${defined[code]} in ${codes.get(code)!.where}`,
      );
    expect({ missing, unknown, differing }).toEqual({ missing: [], unknown: [], differing: [] });
  });

  it('names each code after the module that defines it', async () => {
    const { codes } = await definedCodes();
    const owner: Record<string, string> = {
      NUMBERS: 'src/numbers/',
      TELEPHONY: 'src/telephony/',
      VOICE_AGENT: 'src/voice-agent/',
      AGENTS: 'src/voice-agent/',
      VAPI: 'src/voice-agent/',
      PROJECTS: 'src/tenancy/',
      HEALTH: 'src/health/',
    };
    const misplaced = [...codes]
      .filter(([code, { where }]) => {
        const prefix = code.split('.')[0]!;
        return prefix in owner ? !where.startsWith(owner[prefix]!) : !where.startsWith('src/shared/');
      })
      .map(([code, { where }]) => `${code} in ${relative(ROOT, resolve(ROOT, where))}`);
    expect(misplaced).toEqual([]);
  });
});
