import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramKeys, scramSha256Verifier } from './scram-verifier.ts';

/** RFC 7677 §3: the SCRAM-SHA-256 exchange of user `user` with password `pencil`. */
const rfc = {
  password: 'pencil',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  iterations: 4096,
  authMessage:
    'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,' +
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  clientProof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

describe('scramSha256Verifier', () => {
  it('has the pg_authid form: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>', () => {
    const verifier = scramSha256Verifier('secret');
    expect(verifier).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/,
    );
    // A fresh salt every time.
    expect(scramSha256Verifier('secret')).not.toBe(verifier);
  });

  it('accepts the RFC 7677 client proof and produces its server signature (what a server checks)', () => {
    const verifier = scramSha256Verifier(rfc.password, { salt: rfc.salt, iterations: rfc.iterations });
    const [, rest] = verifier.split('SCRAM-SHA-256$');
    const [iterationsAndSalt, keys] = rest!.split('$');
    expect(iterationsAndSalt).toBe(`4096:${rfc.salt.toString('base64')}`);
    const [storedKey, serverKey] = keys!.split(':').map((key) => Buffer.from(key, 'base64'));

    // The server's side of RFC 5802 §3: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage).
    const clientSignature = hmac(storedKey!, rfc.authMessage);
    const proof = Buffer.from(rfc.clientProof, 'base64');
    const clientKey = Buffer.from(proof.map((byte, index) => byte ^ clientSignature[index]!));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey!)).toBe(true);
    expect(hmac(serverKey!, rfc.authMessage).toString('base64')).toBe(rfc.serverSignature);
  });

  it('derives the keys from the salted password', () => {
    const keys = scramKeys(rfc.password, rfc.salt, rfc.iterations);
    expect(createHash('sha256').update(keys.clientKey).digest().equals(keys.storedKey)).toBe(true);
    expect(keys.serverKey).toHaveLength(32);
  });

  it('refuses passwords SASLprep could change (only printable ASCII)', () => {
    expect(() => scramSha256Verifier('pässword')).toThrow(/printable ASCII/);
    expect(() => scramSha256Verifier('')).toThrow(/printable ASCII/);
  });
});
