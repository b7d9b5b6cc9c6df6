import { detach } from '../core/detach.js';

/**
 * Names (targets, services) numbered once per engine, so that per-source state holds small
 * integers: comparing two of them touches no string, and a source keeps no copy of a name it
 * shares with every other source. Capped: past `cap` names a new one gets -1 (the caller then
 * counts the event but cannot list or window that name).
 */
export class NameTable {
  private readonly ids = new Map<string, number>();
  private readonly list: string[] = [];

  constructor(private readonly cap: number) {}

  /** The id of a name, numbering it if new; -1 when the table is full. */
  id(name: string): number {
    const id = this.ids.get(name);
    if (id !== undefined) return id;
    if (this.list.length >= this.cap) return -1;
    const kept = detach(name);
    this.list.push(kept);
    this.ids.set(kept, this.list.length - 1);
    return this.list.length - 1;
  }

  /** The name of an id. */
  name(id: number): string {
    return this.list[id] ?? '?';
  }

  /** Names numbered so far. */
  get size(): number {
    return this.list.length;
  }
}
