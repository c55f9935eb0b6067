import { jsonStringBytes } from './json-string-bytes.js';

const encodedBytes = (text: string) => Buffer.byteLength(JSON.stringify(text), 'utf8');

describe(jsonStringBytes.name, () => {
  it.each([
    '',
    'plain ascii',
    '{"orderId":42}',
    'back\\slash',
    'ünïcödé and 😀 emoji',
    'tab\there, newline\n, cr\r, bell\u0007, nul\u0000, escape\u001b, del\u007f',
    '\b\f',
    'lone \ud800 high, lone \udc00 low, pair \ud83d\ude00, reversed \ude00\ud83d',
    '\ud800',
    'ends with a high half \ud83d',
    String.fromCharCode(...Array.from({ length: 0x30 }, (_, code) => code)),
  ])('equals the UTF-8 length of JSON.stringify for %j', (text) => {
    expect(jsonStringBytes(text, Buffer.byteLength(text, 'utf8'))).toBe(encodedBytes(text));
  });

  it('counts six bytes for every control character without a short escape', () => {
    const text = '\u0001'.repeat(1000);
    expect(jsonStringBytes(text, 1000)).toBe(6002);
  });
});
