/**
 * E-mail addresses as registries and remarks write them. Everything here reads attacker-writable
 * text (whois remarks, RDAP vCards), so the patterns are linear and the results strict: an
 * address that could carry a header, a second recipient or a URL is refused.
 */

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The address in canonical form (domain lower-cased, `mailto:` and angle brackets removed), or
 * null when it is not a plain, routable mailbox: no spaces, quotes, CR/LF, comments, IP-literal
 * domains or single-label domains.
 */
export function normalizeEmail(text: string): string | null {
  let t = text.trim();
  if (t.toLowerCase().startsWith('mailto:')) t = t.slice(7);
  if (t.startsWith('<') && t.endsWith('>')) t = t.slice(1, -1);
  if (t.length > 254 || t.length < 6) return null;
  const at = t.lastIndexOf('@');
  if (at <= 0 || at !== t.indexOf('@')) return null;
  const local = t.slice(0, at);
  const domain = t
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (local.length > 64 || !LOCAL.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  return `${local}@${domain}`;
}

/**
 * The address when the text is already a bare, canonical-enough mailbox (what a recipient list
 * holds): normalizeEmail's checks, and no `mailto:`, brackets or spaces around it. Null
 * otherwise. Used wherever an address is about to become a recipient.
 */
export function plainMailbox(text: string): string | null {
  const canonical = normalizeEmail(text);
  return canonical !== null && canonical.toLowerCase() === text.toLowerCase() ? canonical : null;
}

/** Spelled-out `@` forms seen in remarks: `abuse[at]example.net`, `abuse (at) example.net`. */
const AT_WORD = /\s?[[({<]\s?at\s?[\])}>]\s?/gi;
const DOT_WORD = /\s?[[({<]\s?dot\s?[\])}>]\s?/gi;

/** Characters that may appear in an address token found in free text. */
const TOKEN = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~@-]+/g;

/**
 * Every address in a piece of free text (a remark, a comment), de-obfuscated, in order of
 * appearance, without duplicates. A URL is never taken for an address: tokens inside a
 * `scheme://…` word are skipped, and `user:pass@host` forms are not addresses.
 */
export function findEmails(text: string): string[] {
  if (text.length > 4096) text = text.slice(0, 4096);
  const plain = text.replace(AT_WORD, '@').replace(DOT_WORD, '.');
  const found: string[] = [];
  for (const word of plain.split(/[\s,;"'()<>[\]]+/)) {
    if (!word.includes('@') || word.includes('://')) continue;
    for (const m of word.matchAll(TOKEN)) {
      const token = trimChars(m[0], '.');
      const email = normalizeEmail(token);
      if (email !== null && !found.includes(email)) found.push(email);
    }
  }
  return found;
}

/** Every `http(s)://` URL in a piece of free text, trailing punctuation removed, in order. */
export function findUrls(text: string): string[] {
  if (text.length > 4096) text = text.slice(0, 4096);
  const out: string[] = [];
  for (const m of text.matchAll(/https?:\/\/[^\s"'<>()[\]{}]+/gi)) {
    const url = trimEnd(m[0], '.,;:!?');
    if (url.length <= 512 && !out.includes(url)) out.push(url);
  }
  return out;
}

/** The text without leading and trailing runs of the given characters (no regex: linear). */
function trimChars(text: string, chars: string): string {
  let a = 0;
  while (a < text.length && chars.includes(text.charAt(a))) a++;
  return trimEnd(text.slice(a), chars);
}

/** The text without a trailing run of the given characters. */
function trimEnd(text: string, chars: string): string {
  let b = text.length;
  while (b > 0 && chars.includes(text.charAt(b - 1))) b--;
  return text.slice(0, b);
}
