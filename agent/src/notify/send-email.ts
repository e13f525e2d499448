import { readFile } from 'node:fs/promises';
import type { EmailChannelConfig } from '@port-yard/shared';
import nodemailer from 'nodemailer';
import type { EmailMessage } from './email-message.ts';
import { abortedBecause, type SendOutcome } from './send-outcome.ts';

const defaultPorts = { starttls: 587, tls: 465, none: 25 } as const;

/**
 * Sends one e-mail over SMTP with nodemailer, a fresh connection per message (notifications are
 * rare; a pool would only hold a socket open). `security`: starttls requires the upgrade (a server
 * without STARTTLS is refused, never fallen back to plain), tls speaks TLS from the first byte,
 * none never upgrades (a local relay). The password never appears in the outcome.
 */
export async function sendEmail(
  channel: EmailChannelConfig,
  message: EmailMessage & { readonly headers?: Readonly<Record<string, string>> },
  options: { readonly signal: AbortSignal; readonly timeoutMs: number },
): Promise<SendOutcome> {
  let ca: Buffer | undefined;
  try {
    ca = channel.ca === undefined ? undefined : await readFile(channel.ca);
  } catch (error) {
    return {
      ok: false,
      error: `cannot read the CA file ${channel.ca}: ${(error as Error).message}`,
      retryable: false,
    };
  }
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port ?? defaultPorts[channel.security],
    secure: channel.security === 'tls',
    requireTLS: channel.security === 'starttls',
    ignoreTLS: channel.security === 'none',
    auth: channel.user === undefined ? undefined : { user: channel.user, pass: channel.password },
    tls: ca === undefined ? undefined : { ca },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  const aborted = new Promise<SendOutcome>((resolve) => {
    const stop = (): void => resolve(abortedBecause(options.signal, options.timeoutMs));
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
  try {
    const sent = transport
      .sendMail({
        from: channel.from,
        to: channel.to,
        subject: message.subject,
        text: message.text,
        headers: message.headers,
      })
      .then((): SendOutcome => ({ ok: true }), smtpProblem);
    return await Promise.race([sent, aborted]);
  } finally {
    transport.close();
  }
}

/** An SMTP 5xx answer or a rejected login will not change on retry; the rest may. */
function smtpProblem(error: unknown): SendOutcome {
  const { code, responseCode, response, message } = error as {
    code?: string;
    responseCode?: number;
    response?: string;
    message?: string;
  };
  const permanent = code === 'EAUTH' || (responseCode !== undefined && responseCode >= 500);
  const said = (response ?? message ?? String(error)).replace(/\s+/g, ' ').slice(0, 300);
  // ETLS: the server would not upgrade; say so rather than quote its bare "command not recognized".
  const text = code === 'ETLS' && !/tls/i.test(said) ? `the server does not do STARTTLS (${said})` : said;
  return { ok: false, error: `${code ? `${code}: ` : ''}${text}`, retryable: !permanent };
}
