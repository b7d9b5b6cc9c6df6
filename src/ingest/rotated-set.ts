import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A file to read, or an error explaining why an argument could not be expanded. */
export type SourceSpec =
  | { readonly kind: 'stdin'; readonly name: '-' }
  | {
      readonly kind: 'file';
      readonly name: string;
      readonly path: string;
      /** Size on disk when the argument was expanded (compressed size for a gzip). */
      readonly size: number;
    }
  | { readonly kind: 'missing'; readonly name: string; readonly message: string };

interface Rotation {
  readonly base: string;
  /** Sort key within the set: smaller is older. */
  readonly age: number;
  readonly tiebreak: string;
}

const DATED = /^(.+?)[-.](\d{8}|\d{10})(\.gz|\.bz2|\.xz|\.z)?$/i;
const NUMBERED = /^(.+?)\.(\d{1,4})(\.gz|\.bz2|\.xz|\.z)?$/i;
const GZ = /^(.+?)\.(gz|z)$/i;

/**
 * Where a file sits in its logrotate set. Dated names (`secure-20261101.gz`) are older than
 * numbered ones (`secure.1`), higher numbers are older, and the live file (`secure`) is newest.
 */
export function rotation(name: string): Rotation {
  const file = basename(name);
  const dir = dirname(name);
  let m = DATED.exec(file);
  if (m !== null) {
    return { base: join(dir, m[1]!), age: -1e12 + Number(m[2]!.slice(0, 8)), tiebreak: file };
  }
  m = NUMBERED.exec(file);
  if (m !== null) return { base: join(dir, m[1]!), age: -Number(m[2]), tiebreak: file };
  m = GZ.exec(file);
  if (m !== null) return { base: join(dir, m[1]!), age: -0.5, tiebreak: file };
  return { base: join(dir, file), age: 0, tiebreak: file };
}

/**
 * Orders the files of each rotated set oldest first, keeping sets in the order they were first
 * named; a directory stands for the regular files in it, set by set in name order.
 */
export function orderRotated(names: readonly string[]): string[] {
  const groups = new Map<string, { name: string; r: Rotation }[]>();
  for (const name of names) {
    const r = rotation(name);
    const list = groups.get(r.base) ?? [];
    list.push({ name, r });
    groups.set(r.base, list);
  }
  const out: string[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a.r.age - b.r.age || a.r.tiebreak.localeCompare(b.r.tiebreak));
    for (const f of list) out.push(f.name);
  }
  return out;
}

/**
 * Expands command-line arguments into sources: `-` is stdin, a directory its regular files,
 * anything else a file; rotated sets come out oldest first. Unreadable arguments become
 * `missing` entries so the caller can report them and go on with the rest.
 */
export async function expandSources(args: readonly string[]): Promise<SourceSpec[]> {
  const specs: SourceSpec[] = [];
  // Sizes from the stat calls made here, so no caller needs to stat the files again.
  const sizes = new Map<string, number>();
  const push = (names: string[]): void => {
    for (const name of orderRotated(names)) {
      specs.push({ kind: 'file', name, path: name, size: sizes.get(name) ?? 0 });
    }
  };
  let pending: string[] = [];
  const flush = (): void => {
    push(pending);
    pending = [];
  };
  for (const arg of args) {
    if (arg === '-') {
      flush();
      specs.push({ kind: 'stdin', name: '-' });
      continue;
    }
    let st;
    try {
      st = await stat(arg);
    } catch (err) {
      flush();
      specs.push({ kind: 'missing', name: arg, message: describeFsError(err) });
      continue;
    }
    if (st.isDirectory()) {
      flush();
      let entries: string[];
      try {
        entries = (await readdir(arg)).sort();
      } catch (err) {
        specs.push({ kind: 'missing', name: arg, message: describeFsError(err) });
        continue;
      }
      const files: string[] = [];
      for (const e of entries) {
        const p = join(arg, e);
        try {
          const entry = await stat(p);
          if (entry.isFile()) {
            files.push(p);
            sizes.set(p, entry.size);
          }
        } catch {
          // A file that vanished between readdir and stat is simply not there.
        }
      }
      push(files);
    } else {
      sizes.set(arg, st.size);
      pending.push(arg);
    }
  }
  flush();
  return specs;
}

/** A one-line description of a file-system error, without a stack. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e?.message ?? String(err);
  }
}
