import { createHash, createHmac } from 'node:crypto';

/**
 * SigV4 header-signature verification for s3rver, which checks only that the access key id exists
 * ("Signature version 4 calculation is unimplemented"). Real S3 answers a wrong secret with 403
 * SignatureDoesNotMatch; so does s3rver with this check. The payload hash is taken from the
 * `x-amz-content-sha256` header as signed (as S3 does for the signature; the body is not hashed).
 */
const secrets: Record<string, string> = { S3RVER: 'S3RVER' };

interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  req: { url?: string };
}
type S3ErrorClass = new (code: string, message: string, detail?: object) => Error;

export function verifySigV4(ctx: SignedRequest, S3Error: S3ErrorClass): void {
  const header = ctx.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('AWS4-HMAC-SHA256 ')) return;
  const fields = Object.fromEntries(
    header
      .slice('AWS4-HMAC-SHA256 '.length)
      .split(/,\s*/)
      .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]),
  ) as Record<string, string | undefined>;
  const [accessKeyId = '', ...scope] = (fields.Credential ?? '').split('/');
  const secret = secrets[accessKeyId];
  if (secret === undefined) {
    throw new S3Error(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  const signedHeaders = (fields.SignedHeaders ?? '').split(';');
  const canonicalRequest = [
    ctx.method,
    ctx.path,
    canonicalQuery(ctx.req.url ?? ''),
    ...signedHeaders.map((name) => `${name}:${headerValue(ctx.headers[name])}`),
    '',
    signedHeaders.join(';'),
    headerValue(ctx.headers['x-amz-content-sha256']),
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    headerValue(ctx.headers['x-amz-date']),
    scope.join('/'),
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of scope) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected !== fields.Signature) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}

function headerValue(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

function canonicalQuery(url: string): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [name, value] = at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [escape(decodeURIComponent(name)), escape(decodeURIComponent(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escape(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
