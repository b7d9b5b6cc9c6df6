import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RdapBootstrap } from './rdap-bootstrap.js';
import type { RdapResponse } from './rdap-client.js';
import {
  lookupRdapAutnum,
  lookupRdapDomain,
  lookupRdapNetwork,
  type RdapGet,
} from './rdap-lookup.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as unknown;
}

/** A bootstrap that names the same servers for everything. */
function bootstrapOf(urls: string[]): RdapBootstrap {
  return {
    ipServers: () => [...urls],
    asnServers: () => [...urls],
    domainServers: () => [...urls],
    hosts: new Set(urls.map((u) => new URL(u).host)),
  };
}

/** A `get` answering from a table of URL → response or error, recording what was asked. */
function scripted(table: Record<string, RdapResponse | Error>): RdapGet & { asked: string[] } {
  const asked: string[] = [];
  const get = async (url: string): Promise<RdapResponse> => {
    asked.push(url);
    const r = table[url];
    if (r === undefined) throw new Error(`unexpected ${url}`);
    if (r instanceof Error) throw r;
    return r;
  };
  return Object.assign(get, { asked });
}

const ARIN = 'https://rdap.arin.net/registry/';
const ARIN_HTTP = 'http://rdap.arin.net/registry/';

describe('lookupRdapNetwork', () => {
  it('moves on to the next base URL when the first gives no answer at all', async () => {
    const url = `${ARIN_HTTP}ip/74.125.225.229`;
    const get = scripted({
      [`${ARIN}ip/74.125.225.229`]: new Error('rdap.arin.net: no complete answer within 5 s'),
      [url]: {
        url,
        status: 200,
        body: fixture('rdap-ip-arin-74.125.225.229-google-2015.json'),
        redirects: [],
      },
    });
    const r = await lookupRdapNetwork('074.125.225.229', bootstrapOf([ARIN, ARIN_HTTP]), get);
    assert.deepEqual(r.errors, ['rdap.arin.net: no complete answer within 5 s']);
    assert.deepEqual(r.chain, [
      { server: 'rdap.arin.net', query: `${ARIN}ip/74.125.225.229` },
      { server: 'rdap.arin.net', query: url },
    ]);
    assert.deepEqual(r.finding?.netblock?.cidrs, ['74.125.0.0/16']);
  });

  it('records a redirect (ARIN for transferred space) in the chain and credits the final server', async () => {
    const first = `${ARIN}ip/62.239.237.1`;
    const final = 'https://rdap.db.ripe.net/ip/62.239.237.1';
    const get = scripted({
      [first]: {
        url: final,
        status: 200,
        body: fixture('rdap-ip-ripe-62.239.237.1-bt-2015.json'),
        redirects: [final],
      },
    });
    const r = await lookupRdapNetwork('62.239.237.1', bootstrapOf([ARIN, ARIN_HTTP]), get);
    assert.deepEqual(r.chain, [
      { server: 'rdap.arin.net', query: first },
      { server: 'rdap.db.ripe.net', query: final },
    ]);
    assert.equal(r.finding?.server, 'rdap.db.ripe.net');
    assert.equal(r.finding?.netblock?.registry, 'ripe');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(get.asked, [first]);
  });

  it("stops at the server's own error answer (404) and at a rate limit", async () => {
    const url = `${ARIN}ip/192.0.2.1`;
    const notFound = scripted({
      [url]: { url, status: 404, body: fixture('rdap-error-ripe-404.json'), redirects: [] },
    });
    const r = await lookupRdapNetwork('192.0.2.1', bootstrapOf([ARIN, ARIN_HTTP]), notFound);
    assert.equal(r.finding, null);
    assert.deepEqual(r.errors, ['rdap.arin.net: HTTP 404 nameservers not found']);
    assert.deepEqual(notFound.asked, [url]);
    const limited = scripted({ [url]: new Error('rdap.arin.net: rate limited (HTTP 429)') });
    const l = await lookupRdapNetwork('192.0.2.1', bootstrapOf([ARIN, ARIN_HTTP]), limited);
    assert.deepEqual(l.errors, ['rdap.arin.net: rate limited (HTTP 429)']);
    assert.deepEqual(limited.asked, [url]);
  });

  it('says so when the bootstrap names no server, or the input is not an address', async () => {
    const get = scripted({});
    const r = await lookupRdapNetwork('10.0.0.1', bootstrapOf([]), get);
    assert.deepEqual(r, {
      finding: null,
      chain: [],
      errors: ['no RDAP server for 10.0.0.1 in the bootstrap'],
    });
    const bad = await lookupRdapNetwork('example.net', bootstrapOf([ARIN]), get);
    assert.deepEqual(bad.errors, ['not an address: example.net']);
    assert.deepEqual(get.asked, []);
  });

  it('reports a partial answer (NIC.br) as an error as well as in the finding', async () => {
    const url = 'https://rdap.registro.br/ip/177.1.2.3';
    const get = scripted({
      [url]: {
        url,
        status: 200,
        body: fixture('rdap-ip-nicbr-177.0.0.0_14-brasil-telecom-partial.json'),
        redirects: [],
      },
    });
    const r = await lookupRdapNetwork('177.1.2.3', bootstrapOf(['https://rdap.registro.br/']), get);
    assert.deepEqual(r.errors, [
      'rdap.registro.br: The object does not contain all data due to server policy. Could be excessive total number of queries.',
    ]);
    assert.notEqual(r.finding?.limited, null);
  });
});

describe('lookupRdapAutnum', () => {
  it('rdap-asn-lacnic-AS27648 through the bootstrap', async () => {
    const base = 'https://rdap.lacnic.net/rdap/';
    const url = `${base}autnum/27648`;
    const get = scripted({
      [url]: { url, status: 200, body: fixture('rdap-asn-lacnic-AS27648.json'), redirects: [] },
    });
    const r = await lookupRdapAutnum(27648, bootstrapOf([base]), get);
    assert.equal(r.asn, 27648);
    assert.deepEqual(
      r.contacts.map((c) => c.email),
      ['aperez@bantel.net.ve'],
    );
    assert.deepEqual(r.chain, [{ server: 'rdap.lacnic.net', query: url }]);
  });
  it('refuses an answer for another AS', async () => {
    const url = `${ARIN}autnum/64496`;
    const get = scripted({
      [url]: { url, status: 200, body: fixture('rdap-asn-arin-AS256.json'), redirects: [] },
    });
    const r = await lookupRdapAutnum(64496, bootstrapOf([ARIN]), get);
    assert.equal(r.asn, null);
    assert.deepEqual(r.contacts, []);
    assert.deepEqual(r.errors, ['rdap.arin.net: answered for AS256, not AS64496']);
  });
});

describe('lookupRdapDomain', () => {
  it('asks the TLD server for the lower-cased name', async () => {
    const base = 'https://rdap.verisign.com/net/v1/';
    const url = `${base}domain/example.net`;
    const get = scripted({
      [url]: { url, status: 404, body: fixture('rdap-error-ripe-404.json'), redirects: [] },
    });
    const r = await lookupRdapDomain('Example.NET.', bootstrapOf([base]), get);
    assert.deepEqual(r.contacts, []);
    assert.deepEqual(r.errors, ['rdap.verisign.com: HTTP 404 nameservers not found']);
  });
});
