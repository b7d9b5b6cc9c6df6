import { fail2banParser } from './fail2ban-parser.js';
import type { ParserDefinition } from './family-parser.js';
import { courierParser } from './courier-parser.js';
import { cyrusParser } from './cyrus-parser.js';
import { dovecotParser } from './dovecot-parser.js';
import { eximParser } from './exim-parser.js';
import { postfixParser } from './postfix-parser.js';
import { sendmailParser } from './sendmail-parser.js';
import { ftpdParser } from './ftpd-parser.js';
import { idsParser } from './ids-parser.js';
import { inetdParser } from './inetd-parser.js';
import { mysqldParser } from './mysqld-parser.js';
import { namedParser } from './named-parser.js';
import { netfilterParser } from './netfilter-parser.js';
import { dropbearParser } from './dropbear-parser.js';
import { pamParser } from './pam-parser.js';
import { sshdParser } from './sshd-parser.js';
import { tcpdParser } from './tcpd-parser.js';
import { webAccessParser } from './web-access-parser.js';
import { webErrorParser } from './web-error-parser.js';

/** The family parsers shipped with reportable, in the order they are tried. */
export const DEFAULT_FAMILIES: readonly ParserDefinition[] = [
  tcpdParser,
  sshdParser,
  dropbearParser,
  netfilterParser,
  idsParser,
  namedParser,
  mysqldParser,
  fail2banParser,
  ftpdParser,
  inetdParser,
  webAccessParser,
  webErrorParser,
  postfixParser,
  dovecotParser,
  eximParser,
  sendmailParser,
  courierParser,
  cyrusParser,
  pamParser,
];
