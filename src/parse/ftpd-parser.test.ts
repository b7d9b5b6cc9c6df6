import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoUtc, zone } from '../core/time.js';
import { ftpdParser, ftpExploitSignature } from './ftpd-parser.js';
import type { Envelope } from './syslog-envelope.js';
import { seededInts } from '../../test/support/fixtures.js';

const parser = ftpdParser.build();
const env = (program: string, message: string): Envelope => ({
  format: 'rfc3164',
  at: 0,
  host: 'gw',
  program,
  pid: '1',
  message,
  count: 1,
});
const berlin = {
  source: 't',
  zone: zone('Europe/Berlin'),
  now: Date.parse('2026-11-27T12:00:00Z'),
};

describe('ftpExploitSignature', () => {
  it('wu-ftpd SITE EXEC format string (CVE-2000-0573)', () => {
    assert.equal(ftpExploitSignature('SITE EXEC %p', 'command'), 'ftp: SITE EXEC format string');
    assert.equal(ftpExploitSignature('site exec %08x', 'command'), 'ftp: SITE EXEC format string');
  });
  it('format strings in a user name: a %n write, or several reads', () => {
    assert.equal(ftpExploitSignature('%10$n', 'user name'), 'ftp: format string in user name');
    assert.equal(ftpExploitSignature('%.8x%.8x', 'user name'), 'ftp: format string in user name');
    assert.equal(ftpExploitSignature('100%sure', 'user name'), null);
    assert.equal(ftpExploitSignature('50%% off %s', 'user name'), null);
  });
  it('NOP sleds in every escaping a logger uses', () => {
    const sig = 'ftp: NOP sled in command';
    assert.equal(ftpExploitSignature('USER ' + '\\x90'.repeat(8), 'command'), sig);
    assert.equal(ftpExploitSignature('USER ' + '#220'.repeat(8), 'command'), sig);
    assert.equal(ftpExploitSignature('USER ' + 'M-^P'.repeat(8), 'command'), sig);
    assert.equal(ftpExploitSignature('USER ' + '\u0090'.repeat(8), 'command'), sig);
  });
  it('undecodable bytes and mixed shellcode escapes', () => {
    const sig = 'ftp: shellcode bytes in user name';
    assert.equal(ftpExploitSignature('\ufffd'.repeat(8), 'user name'), sig);
    assert.equal(ftpExploitSignature('\\x31\\xc0\\x50\\x68M-^?#001\\x2f\\x62', 'user name'), sig);
    // Seven units are not yet a run; a break resets it.
    assert.equal(
      ftpExploitSignature('\\x31'.repeat(7) + 'a' + '\\x31'.repeat(7), 'user name'),
      null,
    );
  });
  it('over-long input, counted in characters', () => {
    assert.equal(ftpExploitSignature('A'.repeat(512), 'user name'), null);
    assert.equal(
      ftpExploitSignature('A'.repeat(513), 'user name'),
      'ftp: over-long user name (513 chars)',
    );
  });
  it('ordinary values', () => {
    for (const v of ['anonymous', 'RETR /pub/file-1.2.tar.gz', 'M-x', 'a#123', 'C:\\xfiles']) {
      assert.equal(ftpExploitSignature(v, 'command'), null, v);
    }
  });
  it('is linear on a 64 KiB adversarial value', () => {
    const t = Date.now();
    for (const block of ['%', '%1', '\\x9', 'M-^', '#22', '\ufffd%n']) {
      ftpExploitSignature(block.repeat(65536 / block.length), 'command');
    }
    assert.ok(Date.now() - t < 1000);
  });
});

describe('ftpd parser', () => {
  it('vsftpd own log: local time in --tz, winter and summer', () => {
    const w = parser.parseLine!(
      'Fri Jan 19 12:20:33 2007 [pid 27202] [anonymous] FAIL LOGIN: Client "192.0.2.1"',
      berlin,
    );
    assert.equal(w?.at && isoUtc(w.at), '2007-01-19T11:20:33Z');
    const s = parser.parseLine!(
      'Thu Sep  8 00:39:49 2016 [pid 15019] [guest] FAIL LOGIN: Client "192.0.2.1"',
      berlin,
    );
    assert.equal(s?.at && isoUtc(s.at), '2016-09-07T22:39:49Z');
  });

  it('vsftpd own log with an impossible date is not read', () => {
    const line = 'Fri Feb 30 12:20:33 2007 [pid 1] [x] FAIL LOGIN: Client "192.0.2.1"';
    assert.equal(parser.parseLine!(line, berlin), null);
  });

  it('wu-ftpd RFC 931 form `ident @ host [addr]`: the ident is skipped', () => {
    const d = parser.parseMessage!(
      'FTP LOGIN FAILED FROM 192.0.2.1 @ dsl.example.net [203.0.113.5], root',
      env('wu-ftpd', ''),
    );
    assert.deepEqual(d && { kind: d.kind, src: d.src, srcHost: d.srcHost, user: d.user }, {
      kind: 'auth-failure',
      src: '203.0.113.5',
      srcHost: 'dsl.example.net',
      user: 'root',
    });
  });

  it('vsftpd: two markers with the same address are not ambiguous', () => {
    const d = parser.parseMessage!(
      '[a: Client "203.0.113.5"] FAIL LOGIN: Client "203.0.113.5"',
      env('vsftpd', ''),
    );
    assert.equal(d?.src, '203.0.113.5');
  });

  it('rejects foreign header-less lines in a few character checks', () => {
    for (const line of [
      '',
      '192.0.2.1 - - [26/Nov/2026:10:00:01 +0100] "GET / HTTP/1.1" 200 1',
      '2013-11-16 21:59:30,121 novo sshd[25891] localhost (andy[192.0.2.1]): USER x: Login successful.',
      '2012/04/09 11:53:29 [error] 2865#0: *1 open() failed',
      'Sat Jun 01 02:17:42 2013] [error] [client 192.0.2.1] File does not exist',
      'Fri Jan 19 12:20:33 2007 1 192.0.2.1 2 /pub/a b _ o a x@ ftp 0 * c',
    ]) {
      assert.equal(parser.parseLine!(line, berlin), null, line);
    }
  });

  it('never throws on arbitrary messages for any of its programs', () => {
    const pieces = ['FTP LOGIN ', 'FROM ', '(', ')', '[', ']', ' - ', ': ', 'Client "', '"'];
    const programs = ['ftpd', 'vsftpd', 'proftpd', 'pure-ftpd', 'wu-ftpd'];
    const rnd = seededInts(7);
    for (let i = 0; i < 5000; i++) {
      let m = '';
      for (let k = rnd(12); k > 0; k--) {
        m += rnd(3) === 0 ? '192.0.2.' + rnd(300) : pieces[rnd(pieces.length)];
      }
      parser.parseMessage!(m, env(programs[rnd(programs.length)]!, m));
      parser.parseLine!(m, berlin);
    }
  });
});
