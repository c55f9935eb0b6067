import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 16 bytes of HMAC-SHA256, in base64url. */
const TAG_CHARS = 22;

/**
 * Subscriber ids bound to the token that created them, without any state: with auth on, a client
 * sees `<store id>.<tag>`, where the tag is an HMAC of the token's name and the store id under a key
 * only the brokers know (auth.subscriber-id-secret, or a random one per process). Another token
 * cannot make a valid tag for that id, even knowing its own secret and the id.
 */
export class SubscriberIds {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  /** The id a client of this token is given for a subscriber the store calls `storeId`. */
  tagged(storeId: string, tokenName: string): string {
    return `${storeId}.${this.tag(storeId, tokenName)}`;
  }

  /** The store's id, if `id` carries this token's tag; undefined otherwise. */
  storeIdOf(id: string, tokenName: string): string | undefined {
    const dot = id.lastIndexOf('.');
    if (dot <= 0 || id.length - dot - 1 !== TAG_CHARS) return undefined;
    const storeId = id.slice(0, dot);
    const expected = Buffer.from(this.tag(storeId, tokenName));
    const given = Buffer.from(id.slice(dot + 1));
    return given.length === expected.length && timingSafeEqual(given, expected) ? storeId : undefined;
  }

  private tag(storeId: string, tokenName: string): string {
    return createHmac('sha256', this.key).update(`${tokenName}\n${storeId}`).digest('base64url').slice(0, TAG_CHARS);
  }
}
