import { canonicalAddress, canonicalIPv4, parsePort } from '../core/ip.js';

/** A network peer from configuration or a flag: a host name or address, and a port. */
export interface HostPort {
  /** A lower-case host name, or a canonical IPv4/IPv6 address (without brackets). */
  readonly host: string;
  readonly port: number;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** True for a DNS host name (`whois.example.net`, `localhost`): letters, digits, hyphens. */
export function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}

/**
 * Parses `HOST:PORT`, `ADDRESS:PORT` or `[IPV6]:PORT` (port 1–65535, required); null when the text
 * is not one. Shared by configuration and the `--whois-host`/`--dns-server` flags.
 */
export function parseHostPort(text: string): HostPort | null {
  let hostPart: string;
  let portPart: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return null;
    hostPart = text.slice(1, close);
    portPart = text.slice(close + 2);
    const addr = canonicalAddress(hostPart);
    if (addr === null) return null;
    hostPart = addr;
  } else {
    const colon = text.indexOf(':');
    if (colon < 0 || colon !== text.lastIndexOf(':')) return null;
    portPart = text.slice(colon + 1);
    const raw = text.slice(0, colon);
    const v4 = canonicalIPv4(raw);
    if (v4 !== null) hostPart = v4;
    else if (isHostName(raw) && !/^[\d.]+$/.test(raw)) hostPart = raw.toLowerCase();
    else return null;
  }
  const port = parsePort(portPart);
  if (port === null || port === 0) return null;
  return { host: hostPart, port };
}
