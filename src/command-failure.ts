/**
 * How a one-shot command (`npm run replay`, `npm run reconcile`) ends when it fails: `<Command> failed: ` and the
 * message of an error the user can act on (bad configuration, wrong arguments), or the stack of any other, on
 * stderr; exit code 1.
 */
export function exitOnFailure(
  command: string,
  expected: (abstract new (...args: never[]) => Error)[],
): (error: unknown) => never {
  return (error: unknown) => {
    const known = expected.some((type) => error instanceof type);
    const text =
      error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error);
    process.stderr.write(`${command} failed: ${text}\n`);
    process.exit(1);
  };
}
