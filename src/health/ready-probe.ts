import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

/**
 * The status of a GET of `url` (the broker's /ready), for `gophermq health`; rejects when nothing
 * answers within `timeoutMs` (an Error whose message is `timed out`), or with the connection's error.
 *
 * Over https the certificate is not verified: the probe asks the broker of its own settings on this
 * machine (loopback for 0.0.0.0) and sends nothing secret, while the certificate names the host
 * clients use, not 127.0.0.1, and may come from a CA the image does not hold (docs/decisions.md).
 */
export function readyStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const answered = (response: { statusCode?: number; resume(): void }) => {
      response.resume(); // the body (none for 204) is not needed
      resolve(response.statusCode ?? 0);
    };
    const request = url.startsWith('https:') ? httpsGet(url, { rejectUnauthorized: false }, answered) : httpGet(url, answered);
    const timer = setTimeout(() => request.destroy(new Error('timed out')), timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
  });
}
