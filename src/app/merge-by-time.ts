import type { Event } from '../core/event.js';

const OUT_BATCH = 2048;

/**
 * Merges event streams that are each in time order into one stream in time order, so an
 * attacker seen in auth.log, kern.log and access.log is one story to the detectors. Events
 * without a time go out as soon as they are at the head of their stream. Holds one batch per
 * stream in memory.
 */
export async function* mergeByTime(streams: AsyncIterator<Event[]>[]): AsyncGenerator<Event[]> {
  if (streams.length === 1) {
    const only = streams[0]!;
    for (;;) {
      const r = await only.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const heads: { it: AsyncIterator<Event[]>; batch: Event[]; i: number }[] = [];
  for (const it of streams) {
    const r = await it.next();
    if (!r.done) heads.push({ it, batch: r.value, i: 0 });
  }
  let out: Event[] = [];
  while (heads.length > 0) {
    let best = 0;
    let bestAt = Infinity;
    for (let h = 0; h < heads.length; h++) {
      const head = heads[h]!;
      const at = head.batch[head.i]!.at ?? -Infinity;
      if (at < bestAt) {
        bestAt = at;
        best = h;
      }
    }
    const head = heads[best]!;
    out.push(head.batch[head.i]!);
    if (++head.i >= head.batch.length) {
      const r = await head.it.next();
      if (r.done) heads.splice(best, 1);
      else {
        head.batch = r.value;
        head.i = 0;
      }
    }
    if (out.length >= OUT_BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** Reads several streams one after the other (the files of one rotated set, oldest first). */
export async function* concatStreams(
  streams: (() => AsyncIterator<Event[]>)[],
): AsyncGenerator<Event[]> {
  for (const open of streams) {
    const it = open();
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      yield r.value;
    }
  }
}
