import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the emulators keep their state between starts: nowhere (memory, what tests use), or a directory. In a
 * directory, the whole state is one JSON file, `state.json`, written again after each change before the change is
 * answered: to a temporary file, then renamed over the old one, so that a process killed at any instant leaves
 * either the state before the change or the state after it, never half of one. Writes are synchronous, hence in
 * the order of the changes. A lock file (`sandbox.lock`, with the process id) keeps a second live process off
 * the same directory.
 */
export abstract class SandboxStore {
  /** Where the state lives, for people; undefined in memory. */
  abstract readonly location: string | undefined;
  /** The state saved last, if any. */
  abstract load(): unknown;
  abstract save(state: unknown): void;
  /** Lets the directory go (the lock). */
  abstract close(): void;

  static inMemory(): SandboxStore {
    return new MemoryStore();
  }

  static inDirectory(dir: string): SandboxStore {
    return new DirectoryStore(resolve(dir));
  }
}

class MemoryStore extends SandboxStore {
  readonly location = undefined;
  load(): unknown {
    return undefined;
  }
  save(): void {}
  close(): void {}
}

/** The sandbox's state file could not be used; the message says which file and what to do. */
export class SandboxStateError extends Error {
  override name = 'SandboxStateError';
}

class DirectoryStore extends SandboxStore {
  private readonly file: string;
  private readonly temporary: string;
  private readonly lock: string;
  private locked = false;

  constructor(readonly location: string) {
    super();
    this.file = join(location, 'state.json');
    this.temporary = join(location, 'state.json.tmp');
    this.lock = join(location, 'sandbox.lock');
    mkdirSync(location, { recursive: true });
    this.takeLock();
  }

  load(): unknown {
    if (!existsSync(this.file)) return undefined;
    try {
      return JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new SandboxStateError(
        `the sandbox's state in ${this.file} cannot be read (${(error as Error).message}); ` +
          'delete the file to start again from the seeded inventory',
      );
    }
  }

  save(state: unknown): void {
    writeFileSync(this.temporary, JSON.stringify(state));
    renameSync(this.temporary, this.file);
  }

  close(): void {
    if (!this.locked) return;
    this.locked = false;
    rmSync(this.lock, { force: true });
  }

  /** Creates the lock file, or takes over one whose process is gone; refuses one held by a live process. */
  private takeLock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lock, 'wx');
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        this.locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(readFileSync(this.lock, 'utf8'));
      if (holder !== process.pid && isAlive(holder)) {
        throw new SandboxStateError(
          `another sandbox (process ${holder}) keeps its state in ${this.location}; stop it, or give this one ` +
            'a directory of its own',
        );
      }
      rmSync(this.lock, { force: true }); // left by a process that died (or by this one, before a restart)
    }
    throw new SandboxStateError(`cannot lock ${this.lock}`);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
