import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { serviceNodeFlags } from '../bench/support.js';

/**
 * The service's memory depends on the flags Node runs it with (V8's heap sizing, README "Performance"): the image
 * runs it with those of `npm start`, and the bench measures it with them too (`serviceNodeFlags`).
 */
describe("the service's Node flags", () => {
  it("are the same in npm start, the Docker image's CMD and the bench", () => {
    const flags = serviceNodeFlags();
    expect(flags).toEqual(expect.arrayContaining([expect.stringMatching(/^--max-semi-space-size=\d+$/)]));
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd && (JSON.parse(cmd) as string[])).toEqual(['node', ...flags, 'dist/src/main.js']);
  });
});
