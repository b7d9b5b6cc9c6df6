import { createSocket } from 'node:dgram';
import type { RemoteInfo } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { canonicalAddress } from '../../src/core/ip.js';

/**
 * A PTR value: a name written as text (sent label by label as UTF-8, so CR/LF, ESC or `<` in it
 * go on the wire raw), or labels given byte for byte (for a `.` or a zero byte inside a label).
 */
export type PtrValue = string | readonly Uint8Array[];

/** What the test DNS server knows. Names are matched case-insensitively, without a final dot. */
export interface DnsZone {
  /** PTR names by address (any form `canonicalAddress` reads). */
  readonly ptr?: Readonly<Record<string, readonly PtrValue[]>>;
  readonly a?: Readonly<Record<string, readonly string[]>>;
  readonly aaaa?: Readonly<Record<string, readonly string[]>>;
  /** Query names (reverse names given as addresses too) that get no answer at all: timeouts. */
  readonly silent?: readonly string[];
  /** Query names answered SERVFAIL. */
  readonly servfail?: readonly string[];
}

const RCODE_NOERROR = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

/** A running test DNS server on 127.0.0.1. */
export interface TestDnsServer {
  readonly address: string;
  readonly port: number;
  /** Every question received, as `TYPE name`, in order. */
  readonly queries: readonly string[];
  close(): Promise<void>;
}

/** Starts a UDP DNS server on 127.0.0.1 (port 0) answering PTR/A/AAAA from the zone, else NXDOMAIN. */
export async function startDnsServer(zone: DnsZone): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  const lower = (names: readonly string[] | undefined): Set<string> =>
    new Set((names ?? []).map((n) => keyOf(n)));
  const silent = lower(zone.silent);
  const servfail = lower(zone.servfail);
  const ptr = new Map(Object.entries(zone.ptr ?? {}).map(([k, v]) => [keyOf(k), v]));
  const a = new Map(Object.entries(zone.a ?? {}).map(([k, v]) => [keyOf(k), v]));
  const aaaa = new Map(Object.entries(zone.aaaa ?? {}).map(([k, v]) => [keyOf(k), v]));

  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push(`${question.type} ${name}`);
    const key = keyOf(name);
    if (silent.has(key)) return;
    // dns-packet writes the RCODE from the low four bits of `flags`.
    let rcode = RCODE_NOERROR;
    const answers: Answer[] = [];
    const patches: { placeholder: Buffer; labels: readonly Uint8Array[] }[] = [];
    if (servfail.has(key)) rcode = RCODE_SERVFAIL;
    else if (question.type === 'PTR' && ptr.has(key)) {
      for (const value of ptr.get(key) ?? []) {
        if (typeof value === 'string') {
          answers.push({ type: 'PTR', name: question.name, ttl: 60, data: value });
        } else {
          // dns-packet splits names on dots; write a same-shaped placeholder, then the bytes.
          const text = value
            .map((l, i) => String.fromCharCode(0x61 + i).repeat(l.length))
            .join('.');
          answers.push({
            type: 'PTR',
            name: question.name,
            ttl: 60,
            data: `${text}.zz-placeholder`,
          });
          patches.push({ placeholder: wireName(`${text}.zz-placeholder`), labels: value });
        }
      }
    } else if (question.type === 'A' && a.has(key)) {
      for (const data of a.get(key) ?? [])
        answers.push({ type: 'A', name: question.name, ttl: 60, data });
    } else if (question.type === 'AAAA' && aaaa.has(key)) {
      for (const data of aaaa.get(key) ?? [])
        answers.push({ type: 'AAAA', name: question.name, ttl: 60, data });
    } else if (!ptr.has(key) && !a.has(key) && !aaaa.has(key)) rcode = RCODE_NXDOMAIN;
    let reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: [question],
      answers,
    } as Packet);
    for (const p of patches) reply = patchName(reply, p.placeholder, p.labels);
    socket.send(reply, peer.port, peer.address);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { address, port } = socket.address();
  return {
    address,
    port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The lookup key of a query name: a reverse name becomes its address, other names lower case. */
function keyOf(name: string): string {
  const n = name.toLowerCase().replace(/\.$/, '');
  const fromReverse = reverseToAddress(n);
  if (fromReverse !== null) return fromReverse;
  return canonicalAddress(n) ?? n;
}

function reverseToAddress(name: string): string | null {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    return parts.length === 4 ? canonicalAddress(parts.reverse().join('.')) : null;
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (nibbles.length !== 32) return null;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(nibbles.slice(i, i + 4).join(''));
    return canonicalAddress(groups.join(':'));
  }
  return null;
}

/** A name in wire form, labels written as UTF-8 (as dns-packet writes them). */
function wireName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.split('.')) {
    const bytes = Buffer.from(label, 'utf8');
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Replaces the placeholder name in the packet with labels written byte for byte. */
function patchName(packet: Buffer, placeholder: Buffer, labels: readonly Uint8Array[]): Buffer {
  const at = packet.indexOf(placeholder);
  if (at < 0) throw new Error('placeholder not found');
  const parts: Buffer[] = [];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l));
  parts.push(Buffer.from([0]));
  const name = Buffer.concat(parts);
  const before = packet.subarray(0, at);
  const after = packet.subarray(at + placeholder.length);
  // The RDLENGTH of the PTR record sits just before its RDATA (the name).
  const rdlength = before.readUInt16BE(before.length - 2);
  const fixed = Buffer.from(before);
  fixed.writeUInt16BE(rdlength - placeholder.length + name.length, fixed.length - 2);
  return Buffer.concat([fixed, name, after]);
}
