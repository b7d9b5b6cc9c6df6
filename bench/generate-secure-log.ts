/**
 * Deterministic generator of a mixed /var/log/secure-style file for the benchmark.
 *
 * Same seed and line count, same bytes: a seeded PRNG (mulberry32) drives every choice, and the
 * N-line file is a prefix of every longer file with the same seed. Lines are RFC 3164
 * (`Nov  1 00:00:00 web1 sshd[4242]: ...`), in time order from Nov 1 00:00:00 (year 2026 for
 * `--now 2026-11-27`), 0-99 ms apart (about 14 hours per million lines, 5.8 days for ten million).
 *
 * The mix, in lines per thousand (the `MIX` table below is the source of truth):
 *
 * - sshd, 350: failed password (invalid user 80, root 65), `Invalid user` 60, pam_unix auth
 *   failure 40, connection closed 30, received disconnect 25, disconnected 20, `message
 *   repeated N times` 8, max auth attempts 7, no identification string 5, accepted key or
 *   password 5, pam sessions 5;
 * - TCP wrappers, 50: `refused connect from` in in.ftpd, in.telnetd and sshd 45, allowed 5;
 * - FTP, 50: vsftpd `FAIL LOGIN` 20 and pam_unix 5, proftpd 15, wu-ftpd `failed login` 10;
 * - kernel firewall, 300: UFW 150, iptables custom prefixes 80, Shorewall 50, firewalld 20;
 * - noise, 250: cron 70, crond/cron pam sessions 50, systemd 40, systemd-logind 35, sudo 30,
 *   su 15, other daemons 10.
 *
 * Attack sources come from a fixed pool of 20,000 addresses: the three documentation /24s,
 * synthetic clusters in 45.0.0.0/8 and 100.64.0.0/10 (clustered by /24, as scanners are), and
 * 600 IPv6 addresses in 2001:db8::/32 (drawn for 3% of the lines that name a source). Their
 * frequency is skewed (index = N * u^3): a few heavy hitters and a long tail, every address
 * appearing in a million lines. They are only strings in a file; nothing is contacted.
 *
 * Usage: node --import tsx bench/generate-secure-log.ts OUT [LINES] [SEED]
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/** Bump when the output for a given seed changes, so cached benchmark inputs are rebuilt. */
export const GENERATOR_VERSION = 1;

/** The seed the benchmark uses. */
export const DEFAULT_SEED = 20261101;

/** Size of the attack-source pool (IPv4 and IPv6 together). */
export const SOURCE_POOL_SIZE = 20_000;

/** What a generation wrote. */
export interface GenerateResult {
  readonly lines: number;
  readonly bytes: number;
  /** Distinct attack-source addresses that appear in the file. */
  readonly distinctSources: number;
  /** Lines per mix category, in `MIX` order. */
  readonly mix: Record<string, number>;
}

/** A small, fast, seedable PRNG (mulberry32): uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Category =
  | 'ssh-fail-invalid'
  | 'ssh-fail-root'
  | 'ssh-invalid-user'
  | 'ssh-pam-failure'
  | 'ssh-closed'
  | 'ssh-received-disconnect'
  | 'ssh-disconnected'
  | 'ssh-repeated'
  | 'ssh-max-auth'
  | 'ssh-no-ident'
  | 'ssh-accepted'
  | 'ssh-session'
  | 'tcpd-refused'
  | 'tcpd-allowed'
  | 'vsftpd-fail'
  | 'vsftpd-pam'
  | 'proftpd'
  | 'wuftpd'
  | 'fw-ufw'
  | 'fw-iptables'
  | 'fw-shorewall'
  | 'fw-firewalld'
  | 'cron-cmd'
  | 'cron-pam'
  | 'systemd'
  | 'logind'
  | 'sudo'
  | 'su'
  | 'other';

/** Lines per thousand for each category; sums to 1000. */
const MIX: readonly (readonly [Category, number])[] = [
  ['ssh-fail-invalid', 80],
  ['ssh-fail-root', 65],
  ['ssh-invalid-user', 60],
  ['ssh-pam-failure', 40],
  ['ssh-closed', 30],
  ['ssh-received-disconnect', 25],
  ['ssh-disconnected', 20],
  ['ssh-repeated', 8],
  ['ssh-max-auth', 7],
  ['ssh-no-ident', 5],
  ['ssh-accepted', 5],
  ['ssh-session', 5],
  ['tcpd-refused', 45],
  ['tcpd-allowed', 5],
  ['vsftpd-fail', 20],
  ['vsftpd-pam', 5],
  ['proftpd', 15],
  ['wuftpd', 10],
  ['fw-ufw', 150],
  ['fw-iptables', 80],
  ['fw-shorewall', 50],
  ['fw-firewalld', 20],
  ['cron-cmd', 70],
  ['cron-pam', 50],
  ['systemd', 40],
  ['logind', 35],
  ['sudo', 30],
  ['su', 15],
  ['other', 10],
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const START_MS = Date.UTC(2026, 10, 1, 0, 0, 0);
/** The kernel booted a few days before the log starts: `[uptime]` stamps are large. */
const BOOT_MS = START_MS - 3 * 86_400_000 - 12_345_678;

const INVALID_USERS = [
  'admin',
  'test',
  'user',
  'oracle',
  'postgres',
  'ubuntu',
  'guest',
  'git',
  'ftpuser',
  'pi',
  'support',
  'ansible',
  'hadoop',
  'mysql',
  'nagios',
  'jenkins',
  'tomcat',
  'www',
  'ftp',
  'student',
  'dev',
  'minecraft',
  'steam',
  'ts3',
  'vagrant',
  'odoo',
  'elastic',
  'centos',
  'debian',
  'ec2-user',
  'azureuser',
  'sysadmin',
  'operator',
  'info',
  'mail',
  '1234',
  'administrator',
  'user1',
  'test2',
  'deployer',
];
const FTP_USERS = ['anonymous', 'ftp', 'admin', 'root', 'test', 'www-data', 'backup', 'upload'];
const DST_PORTS = [
  22, 23, 80, 443, 445, 3389, 8080, 1433, 3306, 5900, 6379, 8443, 2323, 5060, 25, 139, 8888,
];
const UDP_PORTS = [53, 123, 161, 1900, 5060, 11211, 137, 500];
const WINDOWS = [1024, 65535, 29200, 14600, 5840];
const LENS = [40, 44, 52, 60];
const CRON_CMDS = [
  'run-parts /etc/cron.hourly',
  '   cd / && run-parts --report /etc/cron.hourly',
  '[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi',
  'command -v debian-sa1 > /dev/null && debian-sa1 1 1',
  '/usr/local/bin/backup.sh >/dev/null 2>&1',
];
const SUDO_CMDS = [
  '/usr/bin/systemctl restart nginx',
  '/usr/bin/tail -n 200 /var/log/secure',
  '/usr/bin/apt-get update',
  '/bin/journalctl -u sshd --since today',
];
const KEYS = [
  'ED25519 SHA256:Jm3p0xH0zQp0vQ2cO0f1u5f6F1l6sVqI4m1xw9b8cJk',
  'RSA SHA256:q6bW3bX2r1H6x8c0mFq4s0Y2m5a1n9V7kTq3z8d4uGE',
];

/** The attack-source pool: IPv4 (documentation /24s and synthetic clusters) and IPv6. */
function buildSourcePool(rand: () => number): { v4: string[]; v6: string[] } {
  const seen = new Set<string>();
  const v4: string[] = [];
  const v6: string[] = [];
  const addV4 = (a: string): void => {
    if (!seen.has(a)) {
      seen.add(a);
      v4.push(a);
    }
  };
  // 192.0.2.1-19 are the admin's own addresses and the server (192.0.2.10): never attackers.
  for (let h = 20; h < 255; h++) addV4(`192.0.2.${h}`);
  for (let h = 1; h < 255; h++) addV4(`198.51.100.${h}`);
  for (let h = 1; h < 255; h++) addV4(`203.0.113.${h}`);
  const v6Count = 600;
  while (v4.length < SOURCE_POOL_SIZE - v6Count) {
    const synthetic45 = rand() < 0.5;
    const b = synthetic45 ? 1 + int(rand, 254) : 64 + int(rand, 64);
    const c = int(rand, 256);
    const cluster = 1 + int(rand, 16);
    for (let k = 0; k < cluster && v4.length < SOURCE_POOL_SIZE - v6Count; k++) {
      addV4(`${synthetic45 ? 45 : 100}.${b}.${c}.${1 + int(rand, 254)}`);
    }
  }
  const seen6 = new Set<string>();
  while (v6.length < v6Count) {
    const a = `2001:db8:${hex16(rand)}:${hex16(rand)}::${hex16(rand)}`;
    if (!seen6.has(a)) {
      seen6.add(a);
      v6.push(a);
    }
  }
  shuffle(v4, rand);
  shuffle(v6, rand);
  return { v4, v6 };
}

function int(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** A non-zero 16-bit group in canonical (lower-case, no leading zeros) hex. */
function hex16(rand: () => number): string {
  return (1 + int(rand, 0xffff)).toString(16);
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(rand, i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[int(rand, list.length)]!;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Produces the lines of one file, in order. */
class SecureLogLines {
  private readonly rand: () => number;
  private readonly v4: string[];
  private readonly v6: string[];
  private readonly usedV4: Uint8Array;
  private readonly usedV6: Uint8Array;
  private readonly table = new Uint8Array(1000);
  private ms = START_MS;
  private stampSec = -1;
  private stamp = '';
  private cronPid = 41000;
  private session = 100;
  /** Lines per category, indexed like `MIX`. */
  readonly counts = new Array<number>(MIX.length).fill(0);

  constructor(seed: number) {
    this.rand = mulberry32(seed);
    const pool = buildSourcePool(this.rand);
    this.v4 = pool.v4;
    this.v6 = pool.v6;
    this.usedV4 = new Uint8Array(this.v4.length);
    this.usedV6 = new Uint8Array(this.v6.length);
    let at = 0;
    MIX.forEach(([, weight], i) => this.table.fill(i, at, (at += weight)));
    if (at !== 1000) throw new Error(`MIX sums to ${at}, not 1000`);
  }

  /** Distinct pool addresses drawn so far. */
  distinctSources(): number {
    let n = 0;
    for (const u of this.usedV4) n += u;
    for (const u of this.usedV6) n += u;
    return n;
  }

  /** The next line, with its newline. */
  next(): string {
    this.ms += int(this.rand, 100);
    const sec = Math.floor(this.ms / 1000);
    if (sec !== this.stampSec) {
      this.stampSec = sec;
      const d = new Date(sec * 1000);
      const day = d.getUTCDate();
      this.stamp =
        `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
        `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    }
    const cat = this.table[int(this.rand, 1000)]!;
    this.counts[cat]!++;
    return `${this.stamp} ${this.line(MIX[cat]![0])}\n`;
  }

  private src(): string {
    const r = this.rand;
    if (r() < 0.03) {
      const i = Math.floor(this.v6.length * r() ** 3);
      this.usedV6[i] = 1;
      return this.v6[i]!;
    }
    const i = Math.floor(this.v4.length * r() ** 3);
    this.usedV4[i] = 1;
    return this.v4[i]!;
  }

  private pid(): number {
    return 1000 + int(this.rand, 64000);
  }

  private port(): number {
    return 1024 + int(this.rand, 64511);
  }

  private sshHost(): string {
    const x = this.rand();
    return x < 0.6 ? 'web1' : x < 0.85 ? 'web2' : 'gw';
  }

  private invalidUser(): string {
    const x = this.rand();
    // sshd logs an empty name as two spaces; attackers also send names that look like the
    // rest of the line (the classic fail2ban injection), which parsers must not be fooled by.
    if (x < 0.002) return '';
    if (x < 0.003) return 'admin from 192.0.2.1';
    return pick(this.rand, INVALID_USERS);
  }

  private uptime(): string {
    const us = (this.ms - BOOT_MS) * 1000 + int(this.rand, 1000);
    const s = Math.floor(us / 1e6);
    return `[${s}.${String(us - s * 1e6).padStart(6, '0')}]`;
  }

  private packet(src: string): string {
    const r = this.rand;
    const v6 = src.includes(':');
    const mac = v6
      ? '52:54:00:6b:1f:0a:00:1b:21:3c:9d:42:86:dd'
      : '52:54:00:6b:1f:0a:00:1b:21:3c:9d:42:08:00';
    const head = v6
      ? `IN=eth0 OUT= MAC=${mac} SRC=${src} DST=2001:db8:0:10::10 LEN=${pick(r, LENS) + 20} TC=0 HOPLIMIT=${30 + int(r, 220)} FLOWLBL=0`
      : `IN=eth0 OUT= MAC=${mac} SRC=${src} DST=192.0.2.10 LEN=${pick(r, LENS)} TOS=0x00 PREC=0x00 TTL=${30 + int(r, 220)} ID=${int(r, 65536)}`;
    const p = r();
    if (p < 0.85) {
      return `${head} PROTO=TCP SPT=${this.port()} DPT=${pick(r, DST_PORTS)} WINDOW=${pick(r, WINDOWS)} RES=0x00 SYN URGP=0`;
    }
    if (p < 0.97) {
      return `${head} PROTO=UDP SPT=${this.port()} DPT=${pick(r, UDP_PORTS)} LEN=${8 + int(r, 120)}`;
    }
    return v6
      ? `${head} PROTO=ICMPv6 TYPE=128 CODE=0 ID=${int(r, 65536)} SEQ=${1 + int(r, 10)}`
      : `${head} PROTO=ICMP TYPE=8 CODE=0 ID=${int(r, 65536)} SEQ=${1 + int(r, 10)}`;
  }

  private line(cat: Category): string {
    const r = this.rand;
    switch (cat) {
      case 'ssh-fail-invalid':
        return `${this.sshHost()} sshd[${this.pid()}]: Failed password for invalid user ${this.invalidUser()} from ${this.src()} port ${this.port()} ssh2`;
      case 'ssh-fail-root':
        return `${this.sshHost()} sshd[${this.pid()}]: Failed password for ${r() < 0.9 ? 'root' : 'deploy'} from ${this.src()} port ${this.port()} ssh2`;
      case 'ssh-invalid-user':
        return `${this.sshHost()} sshd[${this.pid()}]: Invalid user ${this.invalidUser()} from ${this.src()} port ${this.port()}`;
      case 'ssh-pam-failure':
        return r() < 0.6
          ? `${this.sshHost()} sshd[${this.pid()}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${this.src()}  user=root`
          : `${this.sshHost()} sshd[${this.pid()}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${this.src()}`;
      case 'ssh-closed': {
        const x = r();
        const who =
          x < 0.5
            ? ''
            : x < 0.8
              ? `invalid user ${this.invalidUser()} `
              : 'authenticating user root ';
        return `${this.sshHost()} sshd[${this.pid()}]: Connection closed by ${who}${this.src()} port ${this.port()} [preauth]`;
      }
      case 'ssh-received-disconnect':
        return `${this.sshHost()} sshd[${this.pid()}]: Received disconnect from ${this.src()} port ${this.port()}:11: ${r() < 0.7 ? 'Bye Bye' : 'disconnected by user'} [preauth]`;
      case 'ssh-disconnected':
        return r() < 0.6
          ? `${this.sshHost()} sshd[${this.pid()}]: Disconnected from invalid user ${this.invalidUser()} ${this.src()} port ${this.port()} [preauth]`
          : `${this.sshHost()} sshd[${this.pid()}]: Disconnected from authenticating user root ${this.src()} port ${this.port()} [preauth]`;
      case 'ssh-repeated':
        return `${this.sshHost()} sshd[${this.pid()}]: message repeated ${2 + int(r, 4)} times: [ Failed password for root from ${this.src()} port ${this.port()} ssh2]`;
      case 'ssh-max-auth':
        return `${this.sshHost()} sshd[${this.pid()}]: error: maximum authentication attempts exceeded for ${r() < 0.7 ? 'root' : `invalid user ${this.invalidUser()}`} from ${this.src()} port ${this.port()} ssh2 [preauth]`;
      case 'ssh-no-ident':
        return `${this.sshHost()} sshd[${this.pid()}]: Did not receive identification string from ${this.src()} port ${this.port()}`;
      case 'ssh-accepted':
        return r() < 0.8
          ? `${this.sshHost()} sshd[${this.pid()}]: Accepted publickey for deploy from 192.0.2.5 port ${this.port()} ssh2: ${pick(r, KEYS)}`
          : `${this.sshHost()} sshd[${this.pid()}]: Accepted password for alice from 192.0.2.6 port ${this.port()} ssh2`;
      case 'ssh-session':
        return r() < 0.5
          ? `${this.sshHost()} sshd[${this.pid()}]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)`
          : `${this.sshHost()} sshd[${this.pid()}]: pam_unix(sshd:session): session closed for user deploy`;
      case 'tcpd-refused': {
        const x = r();
        const a = this.src();
        if (x < 0.5) return `gw in.ftpd[${this.pid()}]: refused connect from ${a}`;
        if (x < 0.8) {
          const name = a.includes(':') ? a : `${a.split('.').reverse().join('-')}.dyn.example.net`;
          return `gw in.telnetd[${this.pid()}]: refused connect from ${name} (${a})`;
        }
        return `gw sshd[${this.pid()}]: refused connect from ${a} (${a})`;
      }
      case 'tcpd-allowed':
        return `gw ${r() < 0.5 ? 'in.fingerd' : 'in.telnetd'}[${this.pid()}]: connect from ${this.src()}`;
      case 'vsftpd-fail': {
        const a = this.src();
        const client = r() < 0.5 && !a.includes(':') ? `::ffff:${a}` : a;
        return `web2 vsftpd[${this.pid()}]: [${pick(r, FTP_USERS)}] FAIL LOGIN: Client "${client}"`;
      }
      case 'vsftpd-pam':
        return `web2 vsftpd[${this.pid()}]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=${pick(r, FTP_USERS)} rhost=${this.src()}`;
      case 'proftpd': {
        const a = this.src();
        return r() < 0.6
          ? `web2 proftpd[${this.pid()}]: web2 (${a}[${a}]) - USER ${pick(r, FTP_USERS)} (Login failed): Incorrect password`
          : `web2 proftpd[${this.pid()}]: web2 (${a}[${a}]) - USER ${this.invalidUser()}: no such user found from ${a} [${a}] to 192.0.2.10:21`;
      }
      case 'wuftpd': {
        const a = this.src();
        const name =
          r() < 0.5 || a.includes(':') ? a : `${a.split('.').reverse().join('-')}.dyn.example.net`;
        return `gw ftpd[${this.pid()}]: failed login from ${name} [${a}]`;
      }
      case 'fw-ufw':
        return `gw kernel: ${this.uptime()} [UFW BLOCK] ${this.packet(this.src())}`;
      case 'fw-iptables': {
        const x = r();
        const prefix = x < 0.5 ? 'IPTables-Dropped: ' : x < 0.8 ? 'iptables denied: ' : 'DROP-IN ';
        return r() < 0.5
          ? `gw kernel: ${this.uptime()} ${prefix}${this.packet(this.src())}`
          : `gw kernel: ${prefix}${this.packet(this.src())}`;
      }
      case 'fw-shorewall':
        return `gw kernel: ${r() < 0.7 ? 'Shorewall:net-fw:DROP:' : 'Shorewall:net2fw:REJECT:'}${this.packet(this.src())}`;
      case 'fw-firewalld':
        return `gw kernel: ${r() < 0.6 ? 'FINAL_REJECT: ' : 'filter_IN_public_REJECT: '}${this.packet(this.src())}`;
      case 'cron-cmd':
        return `${this.sshHost()} CRON[${this.cronPid++}]: (${r() < 0.8 ? 'root' : 'www-data'}) CMD (${pick(r, CRON_CMDS)})`;
      case 'cron-pam': {
        const x = r();
        if (x < 0.35) {
          return `web1 crond[${this.cronPid++}]: pam_unix(crond:session): session opened for user root by (uid=0)`;
        }
        if (x < 0.7)
          return `web1 crond[${this.cronPid}]: pam_unix(crond:session): session closed for user root`;
        return x < 0.85
          ? `web2 CRON[${this.cronPid++}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`
          : `web2 CRON[${this.cronPid}]: pam_unix(cron:session): session closed for user root`;
      }
      case 'systemd': {
        const x = r();
        if (x < 0.5)
          return `${this.sshHost()} systemd[1]: Started Session ${++this.session} of user root.`;
        if (x < 0.8)
          return `${this.sshHost()} systemd[1]: session-${this.session}.scope: Deactivated successfully.`;
        return `${this.sshHost()} systemd[1]: Starting Cleanup of Temporary Directories...`;
      }
      case 'logind': {
        const x = r();
        if (x < 0.4)
          return `${this.sshHost()} systemd-logind[612]: New session ${this.session} of user root.`;
        if (x < 0.7) {
          return `${this.sshHost()} systemd-logind[612]: Session ${this.session} logged out. Waiting for processes to exit.`;
        }
        return `${this.sshHost()} systemd-logind[612]: Removed session ${this.session}.`;
      }
      case 'sudo': {
        const x = r();
        const pid = this.pid();
        if (x < 0.4) {
          return `web1 sudo[${pid}]:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=${pick(r, SUDO_CMDS)}`;
        }
        return x < 0.7
          ? `web1 sudo[${pid}]: pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1000)`
          : `web1 sudo[${pid}]: pam_unix(sudo:session): session closed for user root`;
      }
      case 'su':
        return r() < 0.5
          ? `web1 su[${this.pid()}]: (to root) deploy on pts/0`
          : `web1 su[${this.pid()}]: pam_unix(su-l:session): session opened for user root(uid=0) by deploy(uid=1000)`;
      case 'other': {
        const x = r();
        if (x < 0.4) {
          return `web1 polkitd[844]: Registered Authentication Agent for unix-process:${this.pid()}:${int(r, 1e6)} (system bus name :1.${int(r, 5000)} [/usr/bin/pkttyagent --notify-fd 5 --fallback], object path /org/freedesktop/PolicyKit1/AuthenticationAgent, locale C.UTF-8)`;
        }
        if (x < 0.7)
          return `${this.sshHost()} sshd[${this.pid()}]: Server listening on 0.0.0.0 port 22.`;
        if (x < 0.9)
          return `${this.sshHost()} sshd[${this.pid()}]: Server listening on :: port 22.`;
        return `${this.sshHost()} sshd[${this.pid()}]: Received signal 15; terminating.`;
      }
    }
  }
}

/** Bytes of text gathered before each write. */
const CHUNK_CHARS = 1 << 20;

/**
 * Writes `lines` lines from `next` to `path` in large pieces, through a temporary file renamed
 * at the end (an interrupted run never leaves a truncated file under the final name); returns
 * the bytes written. Shared by the benchmark's generators.
 */
export async function writeLines(path: string, lines: number, next: () => string): Promise<number> {
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  const closed = once(out, 'close');
  let bytes = 0;
  let buf = '';
  for (let i = 0; i < lines; i++) {
    buf += next();
    if (buf.length >= CHUNK_CHARS) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  bytes += Buffer.byteLength(buf);
  out.end(buf);
  await closed;
  await rename(tmp, path);
  return bytes;
}

/** Writes `lines` lines of the mixed secure log to `path`. */
export async function generateSecureLog(
  path: string,
  lines: number,
  seed = DEFAULT_SEED,
): Promise<GenerateResult> {
  const gen = new SecureLogLines(seed);
  const bytes = await writeLines(path, lines, () => gen.next());
  const mix: Record<string, number> = {};
  MIX.forEach(([name], i) => (mix[name] = gen.counts[i]!));
  return { lines, bytes, distinctSources: gen.distinctSources(), mix };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, linesArg, seedArg] = process.argv.slice(2);
  if (path === undefined) {
    process.stderr.write('usage: generate-secure-log.ts OUT [LINES] [SEED]\n');
    process.exit(2);
  }
  const lines = linesArg === undefined ? 1_000_000 : Number(linesArg);
  const seed = seedArg === undefined ? DEFAULT_SEED : Number(seedArg);
  if (!Number.isInteger(lines) || lines < 0 || !Number.isInteger(seed)) {
    process.stderr.write('generate-secure-log: LINES and SEED must be integers\n');
    process.exit(2);
  }
  const started = performance.now();
  const result = await generateSecureLog(path, lines, seed);
  const secs = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ...result, seconds: Number(secs.toFixed(2)) })}\n`);
}
