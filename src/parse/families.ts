import type { ParserDefinition } from './family-parser.js';
import { tcpdParser } from './tcpd-parser.js';

/** The family parsers shipped with reportable, in the order they are tried. */
export const DEFAULT_FAMILIES: readonly ParserDefinition[] = [tcpdParser];
