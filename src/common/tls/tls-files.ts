import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsConfig } from '../../config/gophermq-config.js';
import { TlsFileError } from './tls-file.error.js';

/** A certificate (chain) and its key in PEM, as node:https and node:tls take them. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
/** PKCS #8 (`ENCRYPTED PRIVATE KEY`) or OpenSSL's traditional form (`Proc-Type: 4,ENCRYPTED`): OpenSSL would ask for a passphrase. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/;

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
};

/**
 * The files of `tls`, whose key is `setting` (broker.tls, monitoring.tls), read and checked; undefined
 * when both are empty (plain HTTP). Checked here, before any server is made, so that a bad file stops
 * the start with one line naming the setting and the file, rather than with OpenSSL's words and a
 * stack from inside the server's creation, or, for a key that does not match, not at all until the
 * first client's handshake fails.
 */
export function readTlsFiles(tls: TlsConfig, setting: string): TlsFiles | undefined {
  if (tls.certFile === '' && tls.keyFile === '') return undefined;
  const [certSetting, keySetting] = [`${setting}.cert-file`, `${setting}.key-file`];
  // The loader refuses one without the other; this keeps a config built by hand from reading ''.
  if (tls.certFile === '' || tls.keyFile === '') throw new TlsFileError(`${setting}: set both cert-file and key-file, or neither for plain HTTP`);
  const cert = read(tls.certFile, certSetting);
  const key = read(tls.keyFile, keySetting);

  let certificate: X509Certificate;
  try {
    if (!PEM_CERTIFICATE.test(cert.toString('latin1'))) throw new Error('no PEM header');
    certificate = new X509Certificate(cert);
  } catch {
    throw new TlsFileError(`${certSetting}: ${tls.certFile} holds no PEM certificate`);
  }
  if (ENCRYPTED_KEY.test(key.toString('latin1'))) {
    throw new TlsFileError(`${keySetting}: ${tls.keyFile} is encrypted; give the key unencrypted (no passphrase can be set)`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsFileError(`${keySetting}: ${tls.keyFile} holds no PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsFileError(`${keySetting}: ${tls.keyFile} is not the key of the certificate in ${tls.certFile} (${certSetting})`);
  }
  // What OpenSSL itself refuses (a key too small for its security level, say), in the same one line.
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TlsFileError(`${setting}: cannot use ${tls.certFile} with ${tls.keyFile}: ${(error as Error).message}`);
  }
  return { cert, key };
}

function read(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new TlsFileError(`${setting}: cannot read ${path}: ${READ_ERRORS[code] ?? (error as Error).message}`);
  }
}
