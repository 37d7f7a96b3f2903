/**
 * A throwaway self-signed TLS certificate for 127.0.0.1, made at test time with
 * node:crypto only (Node can make keys and signatures but has no certificate
 * builder, so the X.509 structure is written here in DER by hand).
 *
 * Why a certificate at all: @databricks/sql always connects over HTTPS (its
 * DBSQLClient passes `https: true` to its HttpConnection; no public option turns it
 * off), so a wire stub has to speak TLS. The driver's public `customCaCert` option
 * adds this certificate to the trusted roots; the server certificate is still
 * verified (host name / IP and signature), nothing is switched off.
 *
 * What it makes: X.509 v3, ECDSA P-256 with SHA-256, subject = issuer =
 * CN=rbac databricks wire stub, valid from one hour ago for one day,
 * basicConstraints CA:TRUE (it is its own trust anchor), subjectAltName
 * IP:127.0.0.1. Nothing is written to disk; the key lives in memory only.
 */
import { X509Certificate, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  let len: Buffer;
  if (body.length < 0x80) len = Buffer.from([body.length]);
  else {
    const bytes: number[] = [];
    for (let n = body.length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p: Buffer[]) => tlv(0x30, ...p);
const set = (...p: Buffer[]) => tlv(0x31, ...p);
const explicit = (n: number, ...p: Buffer[]) => tlv(0xa0 + n, ...p);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
// A DER INTEGER is signed: a leading 0 keeps a high first bit positive.
const uint = (b: Buffer) => tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime, YYMMDDHHMMSSZ (valid up to 2049, which is all a test needs). */
function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export interface SelfSigned {
  /** PEM certificate: give it to the server and, as a trusted CA, to the client. */
  cert: string;
  /** PEM (PKCS#8) private key, for the server only. */
  key: string;
}

export function selfSignedCert(ip = '127.0.0.1'): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = seq(set(seq(oid('2.5.4.3'), utf8('rbac databricks wire stub'))));
  const now = Date.now();
  const sigAlg = seq(oid(ECDSA_WITH_SHA256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, and no leading zero byte (DER wants the shortest form)
  const ipBytes = Buffer.from(ip.split('.').map(Number));
  const extensions = explicit(
    3,
    seq(
      seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))), // basicConstraints, critical, CA:TRUE
      seq(oid('2.5.29.17'), octets(seq(tlv(0x87, ipBytes)))), // subjectAltName: iPAddress [7]
    ),
  );
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    sigAlg,
    name,
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const der = seq(tbs, sigAlg, bits(sign('sha256', tbs, privateKey)));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  const cert = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
  // Fail here, not deep in a TLS handshake, if the structure above is wrong.
  const x509 = new X509Certificate(cert);
  if (!x509.verify(publicKey) || x509.checkIP(ip) !== ip) throw new Error('self-signed certificate does not verify');
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
