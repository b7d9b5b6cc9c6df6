import type { EventDraft } from '../core/event.js';
import { canonicalAddress } from '../core/ip.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { parseIsoStamp } from './syslog-envelope.js';
import type { SourceContext } from './source-context.js';

const LOGGER = 'fail2ban.';
const STAMPED_LOGGER = ' ' + LOGGER;

/**
 * Service of a jail whose name says it plainly (`sshd`, `postfix-sasl`, `nginx-http-auth`);
 * null for jails that cover several protocols (`dovecot`, `courier-auth`) or none.
 */
function serviceForJail(jail: string): string | null {
  const j = jail.toLowerCase();
  if (j.includes('ssh') || j.startsWith('dropbear')) return 'ssh';
  if (j.includes('ftp')) return 'ftp';
  if (
    j.startsWith('postfix') ||
    j.startsWith('sendmail') ||
    j.startsWith('exim') ||
    j.startsWith('qmail') ||
    j.includes('smtp')
  ) {
    return 'smtp';
  }
  if (j.startsWith('apache') || j.startsWith('nginx') || j.startsWith('lighttpd')) return 'http';
  if (j.startsWith('named') || j.startsWith('bind')) return 'dns';
  if (j.startsWith('mysql')) return 'mysql';
  return null;
}

/** The fields of `fail2ban.MODULE[ pad][[pid]]: LEVEL [JAIL] ACTION ADDRESS`. */
interface Parts {
  readonly module: string | null;
  readonly jail: string;
  readonly action: string;
  readonly address: string;
}

/** fail2ban's own log and its syslog/journal messages: bans and detections of other jails. */
export const fail2banParser: ParserDefinition = {
  family: 'fail2ban',
  description:
    'fail2ban: Ban and Found lines of its own log or syslog (recidive), as evidence of attacks seen by other jails',
  build(): FamilyParser {
    // fail2ban 0.8 writes `fail2ban.actions: WARNING [ssh] Ban A`, 0.9+ pads the logger name
    // and level (`fail2ban.actions        [123]: NOTICE  [sshd] Ban A`), journal entries of
    // fail2ban 1.x drop both (`[sshd] Ban A`); `Found A - <time of the failure>` since 0.10.
    const body =
      /^(?:fail2ban\.([a-z]{1,32}) *(?:\[\d{1,10}\])?: +)?(?:[A-Z]{1,10} +)?\[([^\]\s]{1,64})\] +(Ban|Found|Restore Ban|Unban) ([0-9A-Fa-f:.]{2,64})(?: - [0-9:,. -]{1,40})?$/;

    const split = (text: string): Parts | null => {
      const m = body.exec(text.charCodeAt(text.length - 1) === 32 ? text.trimEnd() : text);
      if (m === null) return null;
      return { module: m[1] ?? null, jail: m[2]!, action: m[3]!, address: m[4]! };
    };

    const toDraft = (p: Parts): EventDraft | null => {
      // Unban and Restore Ban are not attacks: a ban expired, or bans were reloaded from
      // fail2ban's database after a restart (counting those again would re-report old news).
      // The recidive jail bans hosts already banned elsewhere: its bans repeat events that the
      // first jail's Ban line already gave, so they are left out, as fail2ban's own recidive
      // filter leaves them out to avoid feeding on itself.
      if (p.action !== 'Ban' && p.action !== 'Found') return null;
      if (p.jail === 'recidive') return null;
      const src = canonicalAddress(p.address);
      if (src === null) return null;
      // A Ban (or a Found) says another daemon refused or failed this address often enough
      // for a jail to match it: an attack detected elsewhere, whose own log we may not have.
      // No kind says "banned by a third party"; connection-refused is the closest (the host is
      // now refused), and the signature names the jail so detectors can tell it apart.
      const what = p.action === 'Ban' ? 'ban' : 'found';
      return {
        kind: 'connection-refused',
        src,
        service: serviceForJail(p.jail),
        signature: `fail2ban: ${what} in jail ${p.jail}`,
      };
    };

    return {
      family: 'fail2ban',
      programs: [
        'fail2ban',
        'fail2ban-server',
        'fail2ban.actions',
        'fail2ban.filter',
        'fail2ban.observer',
      ],
      parseMessage(message: string): EventDraft | null {
        const p = split(message);
        return p === null ? null : toDraft(p);
      },
      parseLine(line: string, ctx: SourceContext): EventDraft | null {
        // `2006-02-13 15:52:30,388 fail2ban.actions: …` (Python logging's asctime), local time.
        if (line.charCodeAt(10) !== 32 || line.charCodeAt(19) !== 44) return null;
        if (!line.startsWith(STAMPED_LOGGER, 23)) return null;
        const stamp = parseIsoStamp(line, 0, ctx, false);
        if (stamp === null || stamp.end !== 23) return null;
        const p = split(line.slice(24));
        if (p === null) return null;
        const d = toDraft(p);
        if (d === null) return null;
        d.at = stamp.at;
        d.program = p.module === null ? 'fail2ban' : LOGGER + p.module;
        return d;
      },
    };
  },
};
