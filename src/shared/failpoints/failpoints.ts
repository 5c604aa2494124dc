/**
 * Named points in a flow where a test can make the process die at once (SIGKILL, no cleanup), to prove the
 * flow survives a crash at that instant. Armed only by the `FAILPOINTS` environment variable
 * (comma-separated names) read at boot; in normal operation every call is a no-op.
 */
let armed: ReadonlySet<string> = new Set();

export function armFailpoints(names: readonly string[]): void {
  armed = new Set(names);
}

export function failpoint(name: string): void {
  if (armed.size === 0 || !armed.has(name)) return;
  process.stderr.write(`failpoint ${name}: killing the process\n`);
  process.kill(process.pid, 'SIGKILL');
}
