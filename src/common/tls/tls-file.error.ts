/** A file of broker.tls or monitoring.tls that cannot be used; the message is one line naming the setting and the file. */
export class TlsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsFileError';
  }
}
