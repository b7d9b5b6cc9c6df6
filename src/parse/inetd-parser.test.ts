import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zone } from '../core/time.js';
import { inetdParser } from './inetd-parser.js';
import type { Envelope } from './syslog-envelope.js';
import { seededInts } from '../../test/support/fixtures.js';

const parser = inetdParser.build();
const env = (program: string, message: string): Envelope => ({
  format: 'rfc3164',
  at: 0,
  host: 'gw',
  program,
  pid: '1',
  message,
  count: 1,
});
const ctx = { source: 't', zone: zone('Europe/Berlin'), now: Date.parse('2026-11-27T12:00:00Z') };

describe('inetd parser', () => {
  it('portsentry history: epoch seconds, whatever the zone', () => {
    const d = parser.parseLine!(
      '1403884279 - 06/27/2014 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: 1 TCP Blocked',
      ctx,
    );
    assert.equal(d?.at, 1403884279000);
  });

  it('portsentry history lines that break the layout are not read', () => {
    for (const line of [
      '1403884279 - 06/27/2014 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: 1 ICMP Blocked',
      '1403884279 - 06/27/2014 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: x TCP Blocked',
      '1403884279 - 06/27/2014 17:51:19 Host: example.net Port: 1 TCP Blocked',
      '14038842 - 06/27/2014 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: 1 TCP Blocked',
      '2014-06-27 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: 1 TCP Blocked',
      'Host: 192.0.2.1/192.0.2.1 Port: 1 TCP Blocked',
    ]) {
      assert.equal(parser.parseLine!(line, ctx), null, line);
    }
  });

  it('scanlogd needs its flag summary after the port list', () => {
    const ok = '192.0.2.5 to 192.0.2.1 ports 21, 22, 23, 25, 80, 110, fSrpauxy, TOS 00 @10:00:00';
    assert.equal(parser.parseMessage!(ok, env('scanlogd', ok))?.signature, 'scanlogd: 6 ports');
    const bad = '192.0.2.5 to 192.0.2.1 ports 21, 22, whatever, TOS 00 @10:00:00';
    assert.equal(parser.parseMessage!(bad, env('scanlogd', bad)), null);
  });

  it('xinetd: text after from=ADDR means the line is not what it seems', () => {
    const m = 'FAIL: telnet address from=192.0.2.1 from=203.0.113.1 extra';
    assert.equal(parser.parseMessage!(m, env('xinetd', m)), null);
  });

  it('messages of programs it does not know give nothing', () => {
    const m = 'FAIL: telnet address from=192.0.2.1';
    assert.equal(parser.parseMessage!(m, env('sshd', m)), null);
  });

  it('never throws on arbitrary messages for any of its programs', () => {
    const pieces = [
      'attackalert: ',
      'Host',
      ': ',
      '/',
      ' to ',
      'TCP',
      ' port: ',
      ' from=',
      ' ports ',
    ];
    const programs = ['xinetd', 'inetd', 'portsentry', 'scanlogd'];
    const rnd = seededInts(11);
    for (let i = 0; i < 5000; i++) {
      let m = '';
      for (let k = rnd(12); k > 0; k--) {
        m += rnd(3) === 0 ? String(rnd(70000)) + ', ' : pieces[rnd(pieces.length)];
      }
      parser.parseMessage!(m, env(programs[rnd(programs.length)]!, m));
      parser.parseLine!(m, ctx);
    }
  });
});
