import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';

/** One message as the server received it: the SMTP session's envelope and the DATA bytes. */
export interface ReceivedMessage {
  readonly from: string;
  /** RCPT TO addresses, in order. */
  readonly to: readonly string[];
  /** The user that logged in with AUTH, or null. */
  readonly user: string | null;
  /** Whether the session was encrypted (STARTTLS or implicit TLS) when DATA arrived. */
  readonly secure: boolean;
  readonly raw: Buffer;
}

/** A key and self-signed certificate for 127.0.0.1 (PEM); the certificate is also the CA. */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}

/** How the loopback SMTP server behaves. */
export interface TestSmtpOptions {
  /** `starttls` offers STARTTLS, `implicit` wraps the port in TLS (smtps); both need `certificate`. */
  readonly tls?: 'none' | 'starttls' | 'implicit';
  readonly certificate?: TestCertificate;
  /** Require AUTH (PLAIN or LOGIN, only after TLS) with these credentials. */
  readonly auth?: { readonly user: string; readonly pass: string };
  /** The reply to RCPT TO for an address, e.g. `{ code: 451, message: 'try later' }`; null accepts. */
  readonly rcpt?: (address: string) => { readonly code: number; readonly message: string } | null;
  /** Never answer RCPT TO (the client times out before DATA). */
  readonly stallRcpt?: boolean;
  /** After the message data: reply 250 (default), drop the connection, or never reply. */
  readonly afterData?: 'accept' | 'close' | 'silent';
}

/** A running loopback SMTP server and what it received. */
export interface TestSmtpServer {
  readonly port: number;
  readonly received: ReceivedMessage[];
  /** `smtp://` or `smtps://` URL of the server, with credentials when given. */
  url(credentials?: { readonly user: string; readonly pass: string }): string;
  close(): Promise<void>;
}

/**
 * Makes a key with node:crypto and a self-signed certificate for IP 127.0.0.1 with the
 * machine's `openssl` (Node cannot write X.509 certificates); null when openssl is missing.
 */
export async function makeTestCertificate(): Promise<TestCertificate | null> {
  const dir = await mkdtemp(join(tmpdir(), 'reportable-smtp-cert-'));
  try {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(join(dir, 'key.pem'), key, { mode: 0o600 });
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    return { key, cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An error smtp-server turns into the given SMTP reply. */
function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Starts an SMTP server (the `smtp-server` package) on 127.0.0.1 and an ephemeral port. */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const mode = options.tls ?? 'none';
  const received: ReceivedMessage[] = [];
  const sockets = new Map<number, Socket>();
  const disabled: string[] = [];
  if (mode !== 'starttls') disabled.push('STARTTLS');
  if (options.auth === undefined) disabled.push('AUTH');
  if (mode !== 'none' && options.certificate === undefined) {
    throw new Error('a TLS test server needs a certificate');
  }
  const config: SMTPServerOptions = {
    secure: mode === 'implicit',
    disabledCommands: disabled,
    authOptional: options.auth === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      const want = options.auth;
      if (want !== undefined && auth.username === want.user && auth.password === want.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(reply(535, 'Authentication failed'));
      }
    },
    onRcptTo(address, _session, callback) {
      if (options.stallRcpt === true) return;
      const answer = options.rcpt?.(address.address) ?? null;
      callback(answer === null ? null : reply(answer.code, answer.message));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        received.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
          secure: session.secure,
          raw: Buffer.concat(chunks),
        });
        const behaviour = options.afterData ?? 'accept';
        if (behaviour === 'close') sockets.get(session.remotePort)?.destroy();
        else if (behaviour === 'accept') callback(null, 'Queued as TEST');
      });
    },
  };
  if (options.certificate !== undefined) {
    config.key = options.certificate.key;
    config.cert = options.certificate.cert;
  }
  const server = new SMTPServer(config);
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const port = address.port;
  return {
    port,
    received,
    url(credentials) {
      const scheme = mode === 'implicit' ? 'smtps' : 'smtp';
      const user =
        credentials === undefined
          ? ''
          : `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@`;
      return `${scheme}://${user}127.0.0.1:${port}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
