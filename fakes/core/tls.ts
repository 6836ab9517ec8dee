// @peculiar/x509 resolves its services through tsyringe, which needs the metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { freshKeys, type RsaKeyPair } from './keys.js';

/**
 * A CA generated per foundation and the server certificate it signs. RSA 2048, because bosh-cli
 * offers only ECDHE-RSA-AES-GCM suites under TLS 1.2; SANs carry every host and IP clients use,
 * because Go ignores the CN.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY = 24 * 60 * 60 * 1000;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** The chain a server presents: leaf then CA. */
  chainPem: string;
  hosts: string[];
}

function fromPem(pem: string): ArrayBuffer {
  const b64 = pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

function serial(): string {
  // Positive, non-zero 128-bit serial.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function importKey(keyPem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', fromPem(keyPem), { name: ALG.name, hash: ALG.hash }, true, ['sign']);
}

async function importKeyPair(pair: RsaKeyPair): Promise<CryptoKeyPair> {
  const [privateKey, publicKey] = await Promise.all([
    importKey(pair.privatePem),
    webcrypto.subtle.importKey('spki', fromPem(pair.publicPem), { name: ALG.name, hash: ALG.hash }, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

export async function createCa(commonName = 'fakefoundry CA', keyPair?: RsaKeyPair): Promise<CertificateAuthority> {
  const pair = keyPair ?? (await freshKeys().rsaAsync());
  const keys = await importKeyPair(pair);
  // TLS clients check certificates against the wall clock, not the foundation's virtual clock.
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=fakefoundry`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 10 * 365 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: pair.privatePem };
}

export async function issueServerCertificate(ca: CertificateAuthority, extraHosts: string[] = [], keyPair?: RsaKeyPair): Promise<ServerCertificate> {
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...extraHosts])];
  const caCert = new x509.X509Certificate(ca.certPem);
  const pair = keyPair ?? (await freshKeys().rsaAsync());
  const [caKey, keys] = await Promise.all([importKey(ca.keyPem), importKeyPair(pair)]);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0]}, O=fakefoundry`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 2 * 365 * DAY),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = cert.toString('pem') + '\n';
  return { certPem, keyPem: pair.privatePem, chainPem: certPem + ca.certPem, hosts };
}

/** True while the certificate's validity covers the wall clock for at least another day. */
export function certificateStillValid(certPem: string): boolean {
  try {
    const cert = new x509.X509Certificate(certPem);
    const now = Date.now();
    return cert.notBefore.getTime() <= now && cert.notAfter.getTime() > now + DAY;
  } catch {
    return false;
  }
}
