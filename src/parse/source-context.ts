import type { Zone } from '../core/time.js';

/** What parsing one source needs to know beyond its lines. */
export interface SourceContext {
  /** The source name as given (file path, or `-` for stdin). */
  readonly source: string;
  /** Zone of local-time timestamps (`--tz`, default the system's). */
  readonly zone: Zone;
  /** Reference instant for year-less timestamps (`--now`, else the file's mtime, else now). */
  readonly now: number;
}
