/**
 * Values kept in a plain array (linear search) before a Set is worth its memory. Scanning 32
 * small integers is cheaper than hashing one, and an array of 32 is still smaller than a Set
 * (a service list, capped at 32, never needs one).
 */
export const SMALL = 32;

/**
 * Adds a value to a list of distinct numbers in first-seen order that stops growing at `cap`
 * (names are numbered by the engine's name tables, so every list is a list of numbers).
 * `index` is a Set of the list's values, which the caller makes once the list holds more than
 * SMALL values (null before: a linear search). Returns false when the value was new but the
 * list was full (the caller remembers that the list was cut).
 */
export function addDistinct(
  list: number[],
  index: Set<number> | null,
  value: number,
  cap: number,
): boolean {
  if (index !== null) {
    if (index.has(value)) return true;
  } else {
    for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  }
  if (list.length >= cap) return false;
  list.push(value);
  if (index !== null) index.add(value);
  return true;
}
