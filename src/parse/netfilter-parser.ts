import { detach } from '../core/detach.js';
import type { EventDetail, EventDraft, EventKind } from '../core/event.js';
import { canonicalAddress } from '../core/ip.js';
import { indexOfWord, serviceForPort } from './extract.js';
import { newDraft, type FamilyParser, type ParserDefinition } from './family-parser.js';
import { RecentTexts } from './recent-texts.js';
import type { Envelope } from './syslog-envelope.js';

/** What a log prefix says about the packet, worked out once per distinct prefix. */
interface PrefixVerdict {
  readonly kind: EventKind;
  /** Normalized action word (`drop`, `reject`, `block`, `deny`, `accept`, `allow`, `audit`, `limit`). */
  readonly action: string | undefined;
  /** The prefix as written, without surrounding blanks; undefined when the rule has none. */
  readonly text: string | undefined;
}

/**
 * The kernel writes `%sIN=%s OUT=%s ` with the rule's prefix first; nf_log prefixes are at most
 * 127 bytes (NF_LOG_PREFIXLEN), so the real marker lies near the start of the message.
 */
const MAX_MARKER_AT = 256;
/** Interface names are at most 15 characters (IFNAMSIZ); one spare for oddities. */
const MAX_IFNAME = 16;
/** `%pI6` writes 39 characters; IPv4 at most 15. */
const MAX_ADDRESS = 45;
/** Distinct prefixes are few (one per LOG rule); the bound only guards against odd inputs. */
const MAX_CACHED_PREFIXES = 512;

/** TCP flag names by bit (FIN = 0x01 … CWR = 0x80), written low bit first as tcpdump does. */
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;
const FLAG_TEXT: readonly string[] = Array.from({ length: 256 }, (_, mask) =>
  FLAG_NAMES.filter((_name, bit) => (mask & (1 << bit)) !== 0).join(','),
);

/** The bit of a bare TCP flag word of three letters at `i`, or 0 when it is not one. */
function flagBit(s: string, i: number): number {
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  switch (s.charCodeAt(i)) {
    case 70 /* F */:
      return b === 73 && c === 78 ? 0x01 : 0;
    case 83 /* S */:
      return b === 89 && c === 78 ? 0x02 : 0;
    case 82 /* R */:
      return b === 83 && c === 84 ? 0x04 : 0;
    case 80 /* P */:
      return b === 83 && c === 72 ? 0x08 : 0;
    case 65 /* A */:
      return b === 67 && c === 75 ? 0x10 : 0;
    case 85 /* U */:
      return b === 82 && c === 71 ? 0x20 : 0;
    case 69 /* E */:
      return b === 67 && c === 69 ? 0x40 : 0;
    case 67 /* C */:
      return b === 87 && c === 82 ? 0x80 : 0;
    default:
      return 0;
  }
}

/**
 * True when the four characters at `i` are `a b c d` (character codes); past the end of `s`
 * nothing matches. Compared one by one with constants, a field name costs a few loads, where a
 * loop over a pattern string reads twice as many characters and branches on each. The checks
 * parseMessage makes on every line are written out in it rather than calls to this: V8 stops
 * inlining into parseMessage once its budget is spent, and a call costs more than the compares.
 */
function fourAt(s: string, i: number, a: number, b: number, c: number, d: number): boolean {
  return (
    s.charCodeAt(i) === a &&
    s.charCodeAt(i + 1) === b &&
    s.charCodeAt(i + 2) === c &&
    s.charCodeAt(i + 3) === d
  );
}

/**
 * The end of the token at `pos` (the next blank or the end of `s`), or -1 when it is longer than
 * `max`. A character loop: on tokens this short it is cheaper than a builtin call.
 */
function tokenEnd(s: string, pos: number, max: number): number {
  const n = s.length;
  const limit = pos + max;
  for (let i = pos; i <= limit; i++) {
    if (i >= n || s.charCodeAt(i) === 32) return i;
  }
  return -1;
}

/** True when `t` is written in `s` at `pos`. */
function occursAt(s: string, pos: number, t: string): boolean {
  const len = t.length;
  if (pos < 0 || pos + len > s.length) return false;
  for (let i = 0; i < len; i++) if (s.charCodeAt(pos + i) !== t.charCodeAt(i)) return false;
  return true;
}

/**
 * The lower-case protocol name of `PROTO=` value `s[start, end)`; numbers (`PROTO=47`) stay as
 * text. The common names are compared in place: this runs on every line.
 */
function protoAt(s: string, start: number, end: number): string {
  switch (end - start) {
    case 3:
      if (s.charCodeAt(start + 2) === 80 /* P */) {
        const a = s.charCodeAt(start);
        const b = s.charCodeAt(start + 1);
        if (a === 84 /* T */ && b === 67 /* C */) return 'tcp';
        if (a === 85 /* U */ && b === 68 /* D */) return 'udp';
      }
      break;
    case 4:
      if (fourAt(s, start, 73, 67, 77, 80 /* ICMP */)) return 'icmp';
      break;
    case 6:
      if (
        fourAt(s, start, 73, 67, 77, 80 /* ICMP */) &&
        s.charCodeAt(start + 4) === 118 /* v */ &&
        s.charCodeAt(start + 5) === 54 /* 6 */
      ) {
        return 'ipv6-icmp';
      }
      break;
  }
  return s.slice(start, end).toLowerCase();
}

/** Protocols whose log lines carry SPT=/DPT= ports. */
function hasPorts(proto: string | null): boolean {
  return proto === 'tcp' || proto === 'udp' || proto === 'udplite' || proto === 'sctp';
}

/**
 * UniFi/EdgeOS prefixes are `[RULESET-RULE-ACTION]` (`[WAN_LOCAL-default-D]`, `[WAN_IN-20-A]`)
 * or, on UniFi OS, `[RULESET-ACTION-RULE]` (`[WAN_LOCAL-D-2147483647]`): a one-letter segment
 * after the ruleset name is the action.
 */
function unifiAction(prefix: string): string | undefined {
  if (prefix.charCodeAt(0) !== 91) return undefined;
  const close = prefix.indexOf(']');
  if (close < 0) return undefined;
  const segments = prefix.slice(1, close).split('-');
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i];
    if (s === 'A') return 'accept';
    if (s === 'D') return 'drop';
    if (s === 'R') return 'reject';
  }
  return undefined;
}

const BLOCK_WORDS: readonly (readonly [string, string])[] = [
  ['drop', 'drop'],
  ['reject', 'reject'],
  ['block', 'block'],
  ['deny', 'deny'],
  ['denied', 'deny'],
];
const PASS_WORDS: readonly (readonly [string, string])[] = [
  ['accept', 'accept'],
  ['allow', 'allow'],
  ['audit', 'audit'],
];

/**
 * Classifies a LOG rule's prefix. A drop word wins over an accept word (a line that says both
 * is evidence against the source either way); `LIMIT` with a drop word is ufw's rate limit. A
 * prefix that says nothing (no prefix at all, `INPUT:`, psad's bare LOG rules) counts as a
 * block: a LOG rule is almost always the step just before a DROP or REJECT, because logging
 * every accepted packet is rare and would flood the log.
 */
function classifyPrefix(raw: string): PrefixVerdict {
  const text = raw.trim();
  const shown = text.length > 0 ? text : undefined;
  const unifi = unifiAction(text);
  if (unifi !== undefined) {
    return { kind: unifi === 'accept' ? 'connection' : 'packet-blocked', action: unifi, text };
  }
  const lower = text.toLowerCase();
  for (const [word, action] of BLOCK_WORDS) {
    if (lower.includes(word)) {
      if (lower.includes('limit')) return { kind: 'rate-limited', action: 'limit', text };
      return { kind: 'packet-blocked', action, text };
    }
  }
  for (const [word, action] of PASS_WORDS) {
    if (lower.includes(word)) return { kind: 'connection', action, text };
  }
  return { kind: 'packet-blocked', action: undefined, text: shown };
}

/**
 * Reads the kernel's packet log lines written by the iptables/ip6tables LOG target, nftables
 * `log` statements and the tools built on them (ufw, Shorewall, firewalld, UniFi/EdgeOS):
 * `PREFIX IN=eth0 OUT= MAC=… SRC=… DST=… LEN=… … PROTO=TCP SPT=… DPT=… … SYN URGP=0`.
 */
class NetfilterParser implements FamilyParser {
  readonly family = 'netfilter';
  readonly programs: readonly string[] = ['kernel'];
  private readonly verdicts = new Map<string, PrefixVerdict>();
  // Lines come from a few rules and interfaces: finding the prefix's verdict among the recent
  // ones and reusing the last interface names saves a slice, a hash and an allocation per line.
  private readonly recentVerdicts = new RecentTexts<PrefixVerdict>(16);
  private lastIn = '';
  private lastInCode = -1;
  private lastOut = '';
  // The destination is nearly always this host: its text is sliced once, not on every line,
  // and an IPv6 one (written in full by %pI6) is put in canonical form once. Like the interface
  // names, a kept quad is a slice of one line: it holds at most one piece, not a growing set.
  private lastDstValue = -1;
  private lastDstQuad = '';
  private lastDstText = '';
  private lastDst: string | null = null;
  // Second results of the readers below, which would otherwise have to allocate to return them.
  /** The value of the quad read by the last `plainQuadEnd`. */
  private quadValue = 0;
  /** Where the digits read by the last `readNumber` end, and the character there. */
  private numberEnd = 0;
  private numberStop = 0;
  /** The interface name read by the last `ifaceEnd`, packed in a number; -1 when it does not fit. */
  private ifaceCode = -1;

  parseMessage(msg: string, _env: Envelope): EventDraft | null {
    // The marker is the last `IN=` whose interface is followed by ` OUT=`. A prefix is often
    // written without a trailing blank (Shorewall's `…:DROP:IN=eth0`, a careless `DROPIN=eth0`),
    // so the character before it proves nothing; an admin's prefix may itself contain `IN=lo
    // OUT=lo SRC=…` text; and the kernel's own fields never hold another `IN=x OUT=` (bridge
    // logs write `PHYSIN=eth1 PHYSOUT=`), so the last one is the kernel's.
    const n = msg.length;
    let marker = -1;
    let inEnd = -1;
    let inCode = -1;
    let at = msg.indexOf('IN=');
    while (at >= 0 && at <= MAX_MARKER_AT) {
      const end = this.ifaceEnd(msg, at + 3);
      // `end` is a blank or the end of the line; past the end nothing matches.
      if (
        end >= 0 &&
        msg.charCodeAt(end + 1) === 79 /* O */ &&
        msg.charCodeAt(end + 2) === 85 /* U */ &&
        msg.charCodeAt(end + 3) === 84 /* T */ &&
        msg.charCodeAt(end + 4) === 61 /* = */
      ) {
        marker = at;
        inEnd = end;
        inCode = this.ifaceCode;
        at = msg.indexOf('IN=', end);
      } else {
        at = msg.indexOf('IN=', at + 3);
      }
    }
    if (marker < 0) return null;
    const outEnd = tokenEnd(msg, inEnd + 5, MAX_IFNAME);
    if (outEnd < 0) return null;
    // The kernel writes `IN OUT [PHYSIN PHYSOUT] [MAC] SRC DST LEN … PROTO …` in this order, and
    // the first ` SRC=` after the marker is the packet's: a quoted packet in an ICMP error is
    // written `[SRC=…`, after the outer PROTO, and an ARP log's `IPSRC=` does not match.
    const s = indexOfWord(msg, 'SRC=', outEnd);
    if (s < 0) return null;
    // DST= always follows; requiring it (and a blank after DST's value) keeps a line cut inside
    // an address from yielding a shorter, wrong one.
    // Kernels write IPv4 as plain dotted quads, their own canonical form: one pass reads such a
    // token, its end and the blank after it; anything else goes through tokenEnd and
    // canonicalAddress.
    let srcEnd = this.plainQuadEnd(msg, s + 5);
    const srcPlain = srcEnd >= 0;
    if (!srcPlain) srcEnd = tokenEnd(msg, s + 5, MAX_ADDRESS);
    // A plain quad ends at a blank; tokenEnd at a blank or at the end of the line.
    if (
      srcEnd < 0 ||
      srcEnd === n ||
      msg.charCodeAt(srcEnd + 1) !== 68 /* D */ ||
      msg.charCodeAt(srcEnd + 2) !== 83 /* S */ ||
      msg.charCodeAt(srcEnd + 3) !== 84 /* T */ ||
      msg.charCodeAt(srcEnd + 4) !== 61 /* = */
    ) {
      return null;
    }
    const srcText = msg.slice(s + 5, srcEnd);
    const src = srcPlain ? srcText : canonicalAddress(srcText);
    if (src === null) return null;
    let dstEnd = this.plainQuadEnd(msg, srcEnd + 5);
    let dst: string | null;
    if (dstEnd >= 0) {
      // A plain quad's text follows from its value.
      if (this.quadValue !== this.lastDstValue) {
        this.lastDstValue = this.quadValue;
        this.lastDstQuad = msg.slice(srcEnd + 5, dstEnd);
      }
      dst = this.lastDstQuad;
    } else {
      dstEnd = tokenEnd(msg, srcEnd + 5, MAX_ADDRESS);
      if (dstEnd < 0 || dstEnd === n) return null;
      dst = this.canonicalDst(msg.slice(srcEnd + 5, dstEnd));
    }
    let proto: string | null = null;
    let spt = -1;
    let dpt = -1;
    let icmpType = -1;
    let icmpCode = -1;
    let flags = 0;
    const p = indexOfWord(msg, 'PROTO=', dstEnd);
    let protoEnd = -1;
    if (p >= 0) {
      // `TCP ` and `UDP ` are most lines: read them in place, their characters once.
      const v = p + 7;
      if (msg.charCodeAt(v + 3) === 32 && msg.charCodeAt(v + 2) === 80 /* P */) {
        const a = msg.charCodeAt(v);
        const b = msg.charCodeAt(v + 1);
        if (a === 84 /* T */ && b === 67 /* C */) proto = 'tcp';
        else if (a === 85 /* U */ && b === 68 /* D */) proto = 'udp';
      }
      if (proto !== null) protoEnd = v + 3;
      else {
        protoEnd = tokenEnd(msg, v, 12);
        if (protoEnd > v) proto = protoAt(msg, v, protoEnd);
      }
    }
    if (proto !== null) {
      // Each protocol's fields follow PROTO= in a fixed order; a fragment or a truncated packet
      // (`INCOMPLETE [N bytes]`) simply lacks them.
      let q = protoEnd + 1;
      if (hasPorts(proto)) {
        // `SPT=… DPT=… `, then for TCP `[SEQ=… ACK=…] WINDOW=… RES=0x.. <flags> URGP=…`. The
        // kernel ends every field with a blank; a port without one was cut short.
        if (
          msg.charCodeAt(q) === 83 /* S */ &&
          msg.charCodeAt(q + 1) === 80 /* P */ &&
          msg.charCodeAt(q + 2) === 84 /* T */ &&
          msg.charCodeAt(q + 3) === 61 /* = */
        ) {
          const sv = this.readNumber(msg, q + 4);
          const e = this.numberEnd;
          if (
            this.numberStop === 32 &&
            msg.charCodeAt(e + 1) === 68 /* D */ &&
            msg.charCodeAt(e + 2) === 80 /* P */ &&
            msg.charCodeAt(e + 3) === 84 /* T */ &&
            msg.charCodeAt(e + 4) === 61 /* = */
          ) {
            const dv = this.readNumber(msg, e + 5);
            const e2 = this.numberEnd;
            if (this.numberStop === 32) {
              spt = sv;
              dpt = dv;
              q = e2;
            }
          }
        }
        if (proto === 'tcp' && dpt >= 0) {
          const r = indexOfWord(msg, 'RES=', q);
          let f = r < 0 ? -1 : tokenEnd(msg, r + 5, 8);
          if (f >= 0) {
            f++;
            while (f + 3 <= n && (f + 3 === n || msg.charCodeAt(f + 3) === 32)) {
              const bit = flagBit(msg, f);
              if (bit === 0) break;
              flags |= bit;
              f += 4;
            }
          }
        }
      } else if (proto === 'icmp' || proto === 'ipv6-icmp') {
        if (fourAt(msg, q, 84, 89, 80, 69 /* TYPE */) && msg.charCodeAt(q + 4) === 61) {
          icmpType = this.readNumber(msg, q + 5);
          q = this.numberEnd + 1;
          if (fourAt(msg, q, 67, 79, 68, 69 /* CODE */) && msg.charCodeAt(q + 4) === 61) {
            icmpCode = this.readNumber(msg, q + 5);
          }
        }
      }
    }
    let verdict = this.recentVerdicts.get(msg, 0, marker);
    if (verdict === undefined) {
      const prefix = msg.slice(0, marker);
      verdict = this.verdictFor(prefix);
      this.recentVerdicts.set(prefix, verdict);
    }
    const srcPort = spt >= 0 && spt <= 65535 ? spt : null;
    const dstPort = dpt >= 0 && dpt <= 65535 ? dpt : null;
    const detail: EventDetail = {};
    if (verdict.text !== undefined) detail.prefix = verdict.text;
    if (inEnd > marker + 3) detail.inInterface = this.inName(msg, marker + 3, inEnd, inCode);
    if (outEnd > inEnd + 5) detail.outInterface = this.outName(msg, inEnd + 5, outEnd);
    if (flags !== 0) detail.flags = FLAG_TEXT[flags];
    if (icmpType >= 0) {
      detail.icmpType = icmpType;
      if (icmpCode >= 0) detail.icmpCode = icmpCode;
    }
    if (verdict.action !== undefined) detail.action = verdict.action;
    const d = newDraft(verdict.kind, src);
    d.srcPort = srcPort;
    d.dst = dst;
    d.dstPort = dstPort;
    d.proto = proto;
    d.service = serviceForPort(dstPort);
    d.detail = detail;
    return d;
  }

  /**
   * The number written at `pos`, a run of digits (at most 9), or -1 when it is empty or longer;
   * `numberEnd` is left at the first non-digit, looking at no more than 10 characters, and
   * `numberStop` holds that character, so that the caller need not read it again. A run that
   * reaches the end of `s` reads as too long: a number there may have been cut short.
   */
  private readNumber(s: string, pos: number): number {
    const limit = pos + 10;
    let i = pos;
    let v = 0;
    let c = s.charCodeAt(i);
    // Past the end, NaN passes the test: the run reads on to the limit.
    while (i < limit && !(c < 48 || c > 57)) {
      v = v * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    this.numberEnd = i;
    this.numberStop = c;
    return i === pos || i - pos > 9 ? -1 : v;
  }

  /**
   * The index of the blank that ends the dotted quad written at `pos` without leading zeros, or
   * -1 when there is no such quad followed by a blank; its value is left in `quadValue`. This is
   * what `cleanIPv4End` and a check of the next character say together, reading each character
   * once (the quad's dots, and the character after it, are otherwise read twice). Such a quad is
   * its own canonical form.
   */
  private plainQuadEnd(s: string, pos: number): number {
    let i = pos;
    let quad = 0;
    for (let octet = 0; ; octet++) {
      let value = s.charCodeAt(i) - 48;
      if (!(value >= 0 && value <= 9)) return -1; // a non-digit, or NaN past the end
      let c = s.charCodeAt(++i);
      if (value !== 0) {
        // Up to two more digits; a zero stands alone.
        let d = c - 48;
        if (d >= 0 && d <= 9) {
          value = value * 10 + d;
          c = s.charCodeAt(++i);
          d = c - 48;
          if (d >= 0 && d <= 9) {
            value = value * 10 + d;
            if (value > 255) return -1;
            c = s.charCodeAt(++i);
          }
        }
      }
      quad = quad * 256 + value;
      if (octet === 3) {
        if (c !== 32) return -1;
        this.quadValue = quad;
        return i;
      }
      if (c !== 46 /* . */) return -1;
      i++;
    }
  }

  /**
   * `tokenEnd(s, pos, MAX_IFNAME)` for an interface name, which also leaves the name packed in
   * `ifaceCode` (8 bits a character, so at most 6 of them, each below 256; else -1): the next
   * line's name is then recognized without reading it again.
   */
  private ifaceEnd(s: string, pos: number): number {
    const n = s.length;
    const limit = pos + MAX_IFNAME;
    let code = 0;
    for (let i = pos; i <= limit; i++) {
      if (i >= n) {
        this.ifaceCode = code;
        return i;
      }
      const c = s.charCodeAt(i);
      if (c === 32) {
        this.ifaceCode = code;
        return i;
      }
      if (code >= 0) code = c < 256 && i - pos < 6 ? code * 256 + c : -1;
    }
    return -1;
  }

  private canonicalDst(text: string): string | null {
    if (text === this.lastDstText) return this.lastDst;
    this.lastDst = canonicalAddress(text);
    this.lastDstText = detach(text);
    return this.lastDst;
  }

  private inName(msg: string, start: number, end: number, code: number): string {
    const last = this.lastIn;
    if (end - start === last.length) {
      // Names of one length packed alike are the same name.
      if (code >= 0 ? code === this.lastInCode : occursAt(msg, start, last)) return last;
    }
    this.lastInCode = code;
    return (this.lastIn = msg.slice(start, end));
  }

  private outName(msg: string, start: number, end: number): string {
    const last = this.lastOut;
    if (end - start === last.length && occursAt(msg, start, last)) return last;
    return (this.lastOut = msg.slice(start, end));
  }

  private verdictFor(prefix: string): PrefixVerdict {
    let v = this.verdicts.get(prefix);
    if (v === undefined) {
      v = classifyPrefix(prefix);
      if (this.verdicts.size >= MAX_CACHED_PREFIXES) this.verdicts.clear();
      this.verdicts.set(detach(prefix), v);
    }
    return v;
  }
}

/** Kernel packet logs: iptables/ip6tables LOG, nftables log, ufw, Shorewall, firewalld, UniFi. */
export const netfilterParser: ParserDefinition = {
  family: 'netfilter',
  description:
    'kernel firewall logs (iptables/ip6tables LOG, nftables log, ufw, Shorewall, firewalld, UniFi)',
  build(): FamilyParser {
    return new NetfilterParser();
  },
};
