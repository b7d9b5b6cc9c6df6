import type { WriteStream } from 'node:tty';

/**
 * A one-line progress display on a terminal's stderr: bytes read, percentage when the total is
 * known, and the rate. Redrawn at most five times a second; erased when done.
 */
export class Progress {
  private done = 0;
  private last = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: WriteStream,
    private readonly total: number | null,
  ) {}

  /** Adds bytes read and redraws if enough time has passed. */
  add(bytes: number): void {
    this.done += bytes;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const mb = (n: number): string => (n / 1048576).toFixed(0);
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = `${(this.done / 1048576 / secs).toFixed(0)} MB/s`;
    let text: string;
    if (this.total !== null && this.total > 0) {
      const pct = Math.min(100, (this.done / this.total) * 100);
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      text = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct.toFixed(0)}% ${mb(this.done)}/${mb(this.total)} MB ${rate}`;
    } else {
      text = `${mb(this.done)} MB read, ${rate}`;
    }
    this.stream.write(`\r${text}\u001b[K`);
  }

  /** Erases the line. */
  end(): void {
    if (this.last !== 0) this.stream.write('\r\u001b[K');
  }
}
