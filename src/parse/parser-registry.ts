import type { ParserDefinition } from './family-parser.js';
import { DEFAULT_FAMILIES } from './families.js';

const definitions: ParserDefinition[] = [...DEFAULT_FAMILIES];

/** Adds a family parser definition; later registrations are tried after earlier ones. */
export function registerParser(def: ParserDefinition): void {
  if (definitions.some((d) => d.family === def.family)) {
    throw new Error(`parser family ${def.family} is already registered`);
  }
  definitions.push(def);
}

/** The registered definitions, in registration order. */
export function parserDefinitions(): readonly ParserDefinition[] {
  return definitions;
}

/** Replaces the registry for a test; returns a function that restores the previous content. */
export function swapRegistry(defs: readonly ParserDefinition[]): () => void {
  const saved = definitions.splice(0, definitions.length, ...defs);
  return () => {
    definitions.splice(0, definitions.length, ...saved);
  };
}
