import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fetchRdap, formatBytes, rdapErrorText } from './rdap-client.js';

// RDAP error bodies from the shared corpus (INDEX.md, "Error bodies").
const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as unknown;
}

const LIMITS = {
  timeoutMs: 1000,
  maxBytes: 1024,
  maxRedirects: 3,
  allowedHosts: new Set<string>(),
};

describe('rdapErrorText', () => {
  it('rdap-error-apnic-400: errorCode as a string is accepted', () => {
    const body = fixture('rdap-error-apnic-400.json');
    assert.equal(
      rdapErrorText({ url: 'https://rdap.apnic.net/ip/x', status: 400, body, redirects: [] }),
      'rdap.apnic.net: HTTP 400 Bad Request: Request could not be understood, malformed syntax',
    );
  });
  it('rdap-error-ripe-404: errorCode as a number', () => {
    const body = fixture('rdap-error-ripe-404.json');
    assert.equal(
      rdapErrorText({ url: 'https://rdap.db.ripe.net/ip/x', status: 404, body, redirects: [] }),
      'rdap.db.ripe.net: HTTP 404 nameservers not found',
    );
  });
  it('a code that differs from the status is shown; control characters are not', () => {
    const body = { errorCode: '4\u001b01', title: 'Bad\r\nthing' };
    assert.equal(
      rdapErrorText({ url: 'http://127.0.0.1:9/ip/x', status: 400, body, redirects: [] }),
      '127.0.0.1:9: HTTP 400 error 4 01 Bad  thing',
    );
  });
  it('is null for a 2xx answer', () => {
    assert.equal(
      rdapErrorText({ url: 'https://a.example/', status: 200, body: {}, redirects: [] }),
      null,
    );
  });
});

describe('fetchRdap refuses before connecting', () => {
  it('an address literal the bootstrap does not name (private, link-local)', async () => {
    await assert.rejects(fetchRdap('http://10.0.0.1/ip/192.0.2.1', LIMITS), {
      message: '10.0.0.1: refused an address not named by the bootstrap',
    });
    await assert.rejects(fetchRdap('http://169.254.169.254/latest/meta-data/', LIMITS), {
      message: '169.254.169.254: refused an address not named by the bootstrap',
    });
    await assert.rejects(
      fetchRdap('http://[::1]:8080/ip/x', LIMITS),
      /refused an address not named/,
    );
  });
  it('schemes other than http and https, credentials, odd ports on names', async () => {
    await assert.rejects(fetchRdap('file:///etc/passwd', LIMITS), /refused a file URL/);
    await assert.rejects(fetchRdap('https://u:p@rdap.example/ip/x', LIMITS), /credentials/);
    await assert.rejects(
      fetchRdap('http://rdap.example:25/ip/x', LIMITS),
      /refused a non-standard port/,
    );
  });
});

describe('formatBytes', () => {
  it('writes sizes people read', () => {
    assert.equal(formatBytes(1024 * 1024), '1 MiB');
    assert.equal(formatBytes(64 * 1024), '64 KiB');
    assert.equal(formatBytes(1000), '1000 bytes');
  });
});
