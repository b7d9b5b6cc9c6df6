import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** What the fake RDAP server does for one path. */
export type RdapRoute =
  /** A file's bytes (a corpus fixture), as application/rdap+json. */
  | { readonly kind: 'file'; readonly path: string; readonly status?: number }
  /** A JSON body, optionally gzip-compressed on the wire. */
  | {
      readonly kind: 'json';
      readonly body: unknown;
      readonly status?: number;
      readonly gzip?: boolean;
    }
  | {
      readonly kind: 'redirect';
      readonly status: 301 | 302 | 303 | 307 | 308;
      readonly location: string;
    }
  /** An endless-looking JSON body of `bytes` bytes, written as fast as the client reads. */
  | { readonly kind: 'huge'; readonly bytes: number; readonly declareLength?: boolean }
  /** A gzip body that inflates to `bytes` bytes of zeros (a decompression bomb). */
  | { readonly kind: 'gzip-bomb'; readonly bytes: number }
  /** Headers at once, then one byte per `intervalMs`, never finishing. */
  | { readonly kind: 'drip'; readonly intervalMs: number }
  /** An HTML page, as rate limiters and proxies send (RIPE's 429, ipwhois#144). */
  | { readonly kind: 'html'; readonly status: number; readonly retryAfter?: string };

/** A running fake RDAP server on 127.0.0.1. */
export interface RdapTestServer {
  /** `http://127.0.0.1:PORT/` plus the prefix given at start (`registry/` for an ARIN look-alike). */
  readonly base: string;
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** Request paths in arrival order. */
  readonly requests: string[];
  /** Bytes the `huge` and `drip` routes managed to hand to the socket before it closed. */
  readonly written: { bytes: number };
  /** Sets (or replaces) the route for a path such as `/registry/ip/192.0.2.1`. */
  route(path: string, route: RdapRoute): void;
  /** Stops the server, cutting open connections (drips). */
  close(): Promise<void>;
}

/**
 * Starts an RDAP server on 127.0.0.1 (a free port) that answers each path from its route table
 * and everything else with an RDAP 404 body. Used by the integration tests; it never listens on
 * anything but loopback.
 */
export async function startRdapServer(prefix = ''): Promise<RdapTestServer> {
  const routes = new Map<string, RdapRoute>();
  const requests: string[] = [];
  const written = { bytes: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes.get(path);
    if (route === undefined) {
      send(
        res,
        404,
        'application/rdap+json',
        JSON.stringify({ errorCode: 404, title: 'Not Found' }),
      );
      return;
    }
    switch (route.kind) {
      case 'file':
        send(res, route.status ?? 200, 'application/rdap+json', readFileSync(route.path));
        return;
      case 'json': {
        const text = JSON.stringify(route.body);
        if (route.gzip === true) {
          res.writeHead(route.status ?? 200, {
            'content-type': 'application/rdap+json',
            'content-encoding': 'gzip',
          });
          res.end(gzipSync(text));
        } else {
          send(res, route.status ?? 200, 'application/rdap+json', text);
        }
        return;
      }
      case 'redirect':
        res.writeHead(route.status, { location: route.location });
        res.end();
        return;
      case 'html':
        res.writeHead(route.status, {
          'content-type': 'text/html',
          ...(route.retryAfter === undefined ? {} : { 'retry-after': route.retryAfter }),
        });
        res.end('<!DOCTYPE html><html><body><h1>Too Many Requests</h1></body></html>');
        return;
      case 'gzip-bomb':
        res.writeHead(200, { 'content-type': 'application/rdap+json', 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(route.bytes)));
        return;
      case 'huge':
        streamHuge(res, route.bytes, route.declareLength === true, written);
        return;
      case 'drip': {
        res.writeHead(200, { 'content-type': 'application/rdap+json' });
        res.write('{');
        written.bytes += 1;
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          res.write(' ');
          written.bytes += 1;
        }, route.intervalMs);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    base: `http://${host}/${prefix}`,
    host,
    requests,
    written,
    route(path, route) {
      routes.set(path, route);
    },
    close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes `[0,0,0,…` from one reused 64 KiB buffer, waiting for drain: bounded memory here too. */
function streamHuge(
  res: http.ServerResponse,
  total: number,
  declare: boolean,
  written: { bytes: number },
): void {
  res.writeHead(200, {
    'content-type': 'application/rdap+json',
    ...(declare ? { 'content-length': String(total) } : {}),
  });
  const chunk = Buffer.from('0,'.repeat(32 * 1024));
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
      sent += piece.length;
      const more = res.write(piece, () => {
        written.bytes += piece.length;
      });
      if (!more) {
        res.once('drain', pump);
        return;
      }
    }
    if (sent >= total && !res.destroyed) res.end();
  };
  res.write('[');
  pump();
}
