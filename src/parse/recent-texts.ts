import { detach } from '../core/detach.js';

/**
 * A small direct-mapped cache from short texts to values, for the few tags, hosts and firewall
 * prefixes that a log repeats on every line. The text looked up is a fresh slice of the line
 * each time, so a Map would hash all its characters on every line; here the slot comes from the
 * length and the first and last characters, and a hit costs one string comparison. Bounded:
 * a text that maps to a taken slot replaces its entry (the caller's own lookup then answers).
 */
export class RecentTexts<V> {
  private readonly keys: string[];
  private readonly values: (V | undefined)[];
  private readonly mask: number;

  /** @param size number of slots, a power of two */
  constructor(size = 64) {
    this.mask = size - 1;
    this.keys = new Array<string>(size).fill('');
    this.values = new Array<V | undefined>(size).fill(undefined);
  }

  /** The value stored for `text.slice(start, end)`, or undefined. */
  get(text: string, start = 0, end = text.length): V | undefined {
    const slot = this.slot(text, start, end);
    const key = this.keys[slot]!;
    if (key.length !== end - start) return undefined;
    // A slice and a string comparison (a block compare) beat a character loop here.
    return text.slice(start, end) === key ? this.values[slot] : undefined;
  }

  /** Stores a value for a text (kept detached from the line it came from). */
  set(text: string, value: V): void {
    const slot = this.slot(text, 0, text.length);
    this.keys[slot] = detach(text);
    this.values[slot] = value;
  }

  private slot(text: string, start: number, end: number): number {
    if (end <= start) return 0;
    return ((end - start) * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1)) & this.mask;
  }
}
