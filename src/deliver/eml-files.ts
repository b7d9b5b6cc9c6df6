import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalError } from '../core/errors.js';
import type { BuiltMessage } from './report-message.js';

/**
 * Writes the message's exact bytes to `<dir>/report-<id>.eml` (the directory is created if
 * needed) through a temporary file and a rename, so a reader never sees half a message and a
 * second write for the same report replaces the first whole. Returns the path.
 */
export async function writeEml(
  dir: string,
  reportId: string,
  message: BuiltMessage,
): Promise<string> {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(reportId)) {
    throw new Error(`not a report id usable in a file name: ${JSON.stringify(reportId)}`);
  }
  const path = join(dir, `report-${reportId}.eml`);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(message.raw, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new ExternalError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
  return path;
}
