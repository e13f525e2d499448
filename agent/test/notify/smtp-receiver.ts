import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createSelfSignedCert } from '../harness/self-signed-cert.ts';

/** One message the SMTP server accepted: the envelope, the session's facts, and the parsed mail. */
export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: string[];
  /** The connection was TLS when the message was sent (STARTTLS or implicit). */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly headers: Record<string, string>;
  readonly text: string;
}

export interface SmtpReceiver {
  readonly port: number;
  /** The self-signed certificate (PEM file) the server presents, for a channel's `ca`. */
  readonly certFile: string;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A local SMTP server (the `smtp-server` package) on port 0 with a self-signed certificate for
 * 127.0.0.1 and localhost: STARTTLS unless `starttls: false` (or TLS from the first byte), and with `login` only that user
 * and password are accepted (AUTH is offered only after STARTTLS, as real servers do).
 */
export async function startSmtpReceiver(
  options: {
    readonly starttls?: boolean;
    /** TLS from the first byte (port 465 style) instead of STARTTLS. */
    readonly implicitTls?: boolean;
    readonly login?: { user: string; password: string };
  } = {},
): Promise<SmtpReceiver> {
  const dir = await mkdtemp(join(tmpdir(), 'py-test-smtp-'));
  const { certFile, keyFile } = createSelfSignedCert(dir);
  const mails: ReceivedMail[] = [];
  const login = options.login;
  const server = new SMTPServer({
    secure: options.implicitTls === true,
    key: await readFile(keyFile),
    cert: await readFile(certFile),
    logger: false,
    disabledCommands: options.starttls === false ? ['STARTTLS', 'AUTH'] : login ? [] : ['AUTH'],
    authOptional: login === undefined,
    allowInsecureAuth: false,
    onAuth(auth, _session, callback) {
      if (login && auth.username === login.user && auth.password === login.password)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((to) => to.address),
          secure: session.secure,
          user: session.user as string | undefined,
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    certFile,
    mails,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Headers (unfolded, names lower-cased) and the text body, decoded from quoted-printable. */
function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = Object.fromEntries(
    head.split('\r\n').map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    body = Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { headers, text: body.replace(/\r\n/g, '\n') };
}
