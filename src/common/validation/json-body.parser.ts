import type { FastifyInstance } from 'fastify';
import { INVALID_BODY_MESSAGE, RequestValidationError } from './request-validation.error.js';

/** Deepest nesting of arrays and objects a body may have; our bodies need 3 (batch: object, array, object). */
export const MAX_JSON_DEPTH = 16;

/**
 * Most values (counted as the root, plus every `[`, `{` and `,` outside strings) a body may have:
 * a batch entry needs 3, so a batch of `maxBatchSize` entries fits with a third to spare; a list
 * of numbers needs 1 per entry, so one of `longestList` (an ack's seqs) fits whatever the batch size.
 */
export function maxJsonValues(maxBatchSize: number, longestList = 0): number {
  return 16 + Math.max(4 * maxBatchSize, longestList);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Fastify's own JSON parser (secure-json-parse), behind a scan that refuses bodies nested deeper or
 * holding more values than the API needs. V8's JSON.parse spends 20–300 ms on 1 MiB of small values
 * (`[[[…]]]`, `[{},{},…]`, `[0,0,…]`: docs/decisions.md), blocking every other request, and a batch
 * of 36,000 invalid entries cost another 30–120 ms in validation. The scan stops at the first value
 * too many, skips strings with indexOf, and costs a few milliseconds on 1 MiB at worst (whitespace
 * or escaped quotes). Neither Fastify nor secure-json-parse has such limits.
 */
export function useCheckedJsonParser(fastify: FastifyInstance, maxValues: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const problem = shapeProblem(body as string, maxValues);
    if (problem !== undefined) {
      done(new RequestValidationError(INVALID_BODY_MESSAGE, [`body: ${problem}`]), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}

/**
 * Why `text` is refused before parsing (nested deeper than MAX_JSON_DEPTH, more than `maxValues`
 * values), or undefined. Only structure outside strings counts; malformed JSON is left to the parser.
 */
export function shapeProblem(text: string, maxValues: number): string | undefined {
  let depth = 0;
  let values = 1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return undefined;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE || code === COMMA) {
      if (++values > maxValues) return `more than ${maxValues} values`;
      if (code !== COMMA && ++depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
  return undefined;
}

/** Where the string opened at `start` ends (-1 if it does not); indexOf skips a long `data` in one call. */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}
