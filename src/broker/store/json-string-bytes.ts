/** Characters JSON.stringify escapes: quote, backslash, control characters, and surrogate halves (lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Bytes of `JSON.stringify(text)` encoded as UTF-8, quotes included, without building it.
 * `utf8Bytes` is `Buffer.byteLength(text)`, which the caller already has. Plain text (the usual
 * case) costs one regular-expression scan; text with escapes costs one pass over its characters.
 */
export function jsonStringBytes(text: string, utf8Bytes: number): number {
  if (!NEEDS_ESCAPE.test(text)) return utf8Bytes + 2;
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) extra += 1; // \" and \\
    else if (code < 0x20) extra += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 1 : 5; // \n, or \u0001
    else if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i += 1; // a pair: 4 bytes either way
      else extra += 3; // a lone half: "\udXXX" (6) where UTF-8 has the 3-byte replacement
    }
  }
  return utf8Bytes + extra + 2;
}
