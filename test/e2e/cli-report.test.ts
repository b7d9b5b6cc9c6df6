import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { CLI, runCli, type CliResult } from '../support/cli.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import {
  corpusBehaviours,
  startWhoisServers,
  type WhoisServerSet,
} from '../support/whois-server.js';

// The whole loop of issue 5 on the example logs, every peer on loopback: scan, lookup
// --incidents against the corpus registries, report, report approve --all, send to a real SMTP
// server; then all of it again, which must send nothing new.

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'examples/logs');

let whois: WhoisServerSet;
let dns: TestDnsServer;
let dir: string;

/** A configuration file with every peer on loopback and the given SMTP server. */
function configFile(name: string, smtpUrl: string, smtpTimeoutMs: number): string {
  const path = join(dir, name);
  const hosts = [...whois.endpoints].map(([n, hp]) => `    ${n}: "${hp.host}:${hp.port}"`);
  writeFileSync(
    path,
    [
      'reporter:',
      '  name: Jane Operator',
      '  organization: Example Hosting',
      '  email: abuse-desk@example.net',
      '  timezone: Europe/Berlin',
      'lookup:',
      '  rdap: false',
      '  onlyListedServers: true',
      `  dnsServer: "${dns.address}:${dns.port}"`,
      '  timeoutMs: 3000',
      '  whoisHosts:',
      ...hosts,
      'smtp:',
      `  url: "${smtpUrl}"`,
      `  timeoutMs: ${smtpTimeoutMs}`,
      '  perHour: 100',
      '  perDomainPerHour: 100',
      'report:',
      '  redact:',
      '    hostnames: [gw, mail, www]',
      '',
    ].join('\n'),
  );
  return path;
}

async function ok(config: string, args: string[]): Promise<string> {
  const r = await cli(config, args);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** scan, lookup --incidents, report, approve --all: the steps before send. */
async function prepare(config: string, db: string): Promise<void> {
  await ok(config, ['scan', '--db', db, '--tz', 'UTC', '--now', '2026-11-27T12:00:00Z', EXAMPLES]);
  await ok(config, ['lookup', '--db', db, '--incidents']);
  await ok(config, ['report', '--db', db]);
  await ok(config, ['report', 'approve', '--db', db, '--all']);
}

before(async () => {
  whois = await startWhoisServers(corpusBehaviours());
  dns = await startDnsServer({});
  dir = mkdtempSync(join(tmpdir(), 'reportable-report-'));
});

after(async () => {
  await whois?.close();
  await dns?.close();
});

describe('scan → lookup → report → approve → send, on loopback', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp?.close();
  });

  it('delivers one correct report per responsible contact, and nothing twice', async () => {
    const config = configFile('flow.yaml', smtp.url(), 5000);
    const db = join(dir, 'flow.db');
    await prepare(config, db);
    const sent = await ok(config, ['send', '--db', db]);
    assert.match(sent, /5 sent/);
    assert.equal(smtp.received.length, 5);

    const byRcpt = new Map(smtp.received.map((m) => [m.to.join(','), m]));
    assert.deepEqual([...byRcpt.keys()].sort(), [
      'abuse@hosteurope.de',
      'abuse@hostgator.com,eig-net-team@endurance.com',
      'abuse@hostinger.com',
      'hostmaster@nic.or.kr',
      'operacion.redes@triara.com',
    ]);

    // Hostinger holds three of the attackers: one mail covers all three.
    const hostinger = await simpleParser(byRcpt.get('abuse@hostinger.com')!.raw);
    assert.match(hostinger.subject ?? '', /^Abuse report: .* from 3 addresses/);
    for (const src of ['194.164.64.213', '82.112.247.12', '157.173.209.216']) {
      assert.ok(hostinger.text?.includes(src), `${src} in the Hostinger memo`);
    }
    assert.match(hostinger.text ?? '', /UTC/);
    assert.match(hostinger.text ?? '', /sshd\[\d+\]: Failed password/);
    assert.ok(!hostinger.text?.includes('192.0.2.10'), 'our attacked address is redacted');
    assert.equal(hostinger.from?.value[0]?.address, 'abuse-desk@example.net');
    const xarf = hostinger.attachments.filter((a) => a.contentType === 'application/json');
    assert.equal(xarf.length, 3);
    const types = xarf
      .map((a) => (JSON.parse(a.content.toString('utf8')) as { type: string }).type)
      .sort();
    assert.deepEqual(types, ['login_attack', 'port_scan', 'vulnerability_scan']);

    const ids = smtp.received.map(
      (m) => m.raw.toString('latin1').match(/^Message-ID: (.+)$/im)?.[1],
    );
    const listed = JSON.parse(
      await ok(config, ['report', 'list', '--db', db, '--format', 'json']),
    ) as {
      status: string;
      messageId: string;
    }[];
    assert.ok(listed.every((r) => r.status === 'sent'));
    assert.deepEqual(listed.map((r) => r.messageId).sort(), ids.map((i) => i?.trim()).sort());

    // The exports are published elsewhere: redacted as the memos are.
    for (const format of ['abuseipdb', 'dshield']) {
      const exported = await ok(config, ['report', 'export', '--db', db, '--format', format]);
      assert.ok(exported.split('\n').length > 5, format);
      assert.ok(!exported.includes('192.0.2.10'), `${format}: our attacked address is redacted`);
    }
    const csv = await ok(config, ['report', 'export', '--db', db, '--format', 'abuseipdb']);
    assert.match(csv, /\[redacted-host\]/);

    // Everything again: the logs were read, the incidents reported, nothing new goes out.
    await prepare(config, db);
    const again = await ok(config, ['send', '--db', db]);
    assert.match(again, /0 sent/);
    assert.equal(smtp.received.length, 5);

    const history = JSON.parse(
      await ok(config, ['report', 'history', '--db', db, '--format', 'json']),
    ) as {
      network: string;
      reports: number;
    }[];
    assert.ok(
      history.some((h) => h.network === '194.164.64.0 - 194.164.71.255' && h.reports === 1),
    );
  });

  it('--dry-run writes the messages as .eml files and sends nothing', async () => {
    const config = configFile('dry.yaml', smtp.url(), 5000);
    const db = join(dir, 'dry.db');
    await prepare(config, db);
    const before = smtp.received.length;
    const out = join(dir, 'eml');
    await ok(config, ['send', '--db', db, '--dry-run', out]);
    assert.equal(smtp.received.length, before);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 5);
    const parsed = await simpleParser(readFileSync(join(out, files[0]!)));
    assert.match(parsed.subject ?? '', /^Abuse report: /);
    const listed = JSON.parse(
      await ok(config, ['report', 'list', '--db', db, '--format', 'json']),
    ) as {
      status: string;
    }[];
    assert.ok(
      listed.every((r) => r.status === 'approved'),
      'still approved after a dry run',
    );
  });
});

describe('report edit: a person rewrites a draft before it goes', () => {
  it('the edited subject and text are what is sent; a Bcc is refused', async () => {
    const smtp = await startSmtpServer();
    try {
      const config = configFile('edit.yaml', smtp.url(), 5000);
      const db = join(dir, 'edit.db');
      await ok(config, [
        'scan',
        '--db',
        db,
        '--tz',
        'UTC',
        '--now',
        '2026-11-27T12:00:00Z',
        EXAMPLES,
      ]);
      await ok(config, ['lookup', '--db', db, '--incidents']);
      await ok(config, ['report', '--db', db]);
      const eml = await ok(config, ['report', 'show', '1', '--db', db, '--format', 'eml']);
      const edited = eml
        .replace(
          /^Subject: .*(?:\r?\n[ \t].*)*$/m,
          'Subject: Abuse report (edited): HTTP exploit attempts',
        )
        .replace('Please investigate', 'Please investigate urgently');
      const file = join(dir, 'edited.eml');
      writeFileSync(file, edited);
      const bad = join(dir, 'bcc.eml');
      writeFileSync(bad, edited.replace(/^To: /m, 'Bcc: someone@example.org\r\nTo: '));
      const refused = await cli(config, ['report', 'edit', '1', bad, '--db', db]);
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /Bcc/);
      await ok(config, ['report', 'edit', '1', file, '--db', db]);
      const listed = JSON.parse(
        await ok(config, ['report', 'list', '--db', db, '--format', 'json']),
      ) as {
        id: string;
        status: string;
        edited: boolean;
      }[];
      assert.deepEqual(
        listed.filter((r) => r.id === '1').map((r) => [r.status, r.edited]),
        [['draft', true]],
      );
      await ok(config, ['report', 'approve', '1', '--db', db]);
      await ok(config, ['send', '--db', db]);
      assert.equal(smtp.received.length, 1);
      const got = await simpleParser(smtp.received[0]!.raw);
      assert.equal(got.subject, 'Abuse report (edited): HTTP exploit attempts');
      assert.match(got.text ?? '', /Please investigate urgently/);
    } finally {
      await smtp.close();
    }
  });
});

describe('a send killed mid-delivery never mails twice', () => {
  it('the interrupted report is failed for a person to check, the others go out once', async () => {
    const silent = await startSmtpServer({ afterData: 'silent' });
    const accepting = await startSmtpServer();
    try {
      const db = join(dir, 'kill.db');
      const slow = configFile('kill-1.yaml', silent.url(), 30_000);
      await prepare(slow, db);
      const child = spawn(process.execPath, [CLI, '--config', slow, 'send', '--db', db], {
        env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent', XDG_DATA_HOME: dir },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Killed after the server has the whole message but before it answered.
      for (let i = 0; i < 200 && silent.received.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(silent.received.length, 1, 'the first report reached the server');
      child.kill('SIGKILL');
      await exited;
      const interrupted = silent.received[0]!.to.join(',');

      // Restarted (a short SMTP timeout, so the leftover `sending` is soon stale).
      const fast = configFile('kill-2.yaml', accepting.url(), 200);
      await new Promise((r) => setTimeout(r, 1000));
      const r = await cli(fast, ['send', '--db', db]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /recovered: a send was interrupted/);
      assert.equal(accepting.received.length, 4);
      assert.ok(
        !accepting.received.some((m) => m.to.join(',') === interrupted),
        'the interrupted report was not sent again',
      );
      const listed = JSON.parse(
        await ok(fast, ['report', 'list', '--db', db, '--format', 'json']),
      ) as {
        status: string;
        lastError: string | null;
      }[];
      assert.deepEqual(listed.map((x) => x.status).sort(), [
        'failed',
        'sent',
        'sent',
        'sent',
        'sent',
      ]);
      const failed = listed.find((x) => x.status === 'failed');
      assert.match(failed?.lastError ?? '', /may have been delivered/);

      // And once more: still nothing twice.
      await ok(fast, ['send', '--db', db]);
      assert.equal(accepting.received.length + silent.received.length, 5);
    } finally {
      await silent.close();
      await accepting.close();
    }
  });
});

/** The built command with a configuration file and this test's data directory. */
function cli(config: string, args: string[]): Promise<CliResult> {
  return runCli(config, dir, args);
}
