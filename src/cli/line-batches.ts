import type { Readable } from 'node:stream';

const NEWLINE = '\n';
const CARRIAGE_RETURN = 13;

/**
 * The lines of a text stream in batches of up to `size`, split by hand: readline's per-line events
 * cost about as much CPU as the rest of `gophermq pub` (docs/benchmarks.md, "The command line").
 * A line ends at "\n" or "\r\n"; a last line without one counts; an empty line is a line. The
 * stream is read only as fast as the batches are taken, so at most one batch and one chunk wait.
 */
export async function* lineBatches(input: Readable, size: number): AsyncGenerator<string[]> {
  input.setEncoding('utf8'); // a character split between two chunks is decoded whole
  let batch: string[] = [];
  // A line longer than a chunk: its pieces, joined once its end arrives (not re-scanned per chunk).
  let pending: string[] = [];
  for await (const chunk of input as AsyncIterable<string>) {
    let end = chunk.indexOf(NEWLINE);
    if (end === -1) {
      pending.push(chunk);
      continue;
    }
    let text = chunk;
    if (pending.length > 0) {
      const head = pending.join('');
      text = head + chunk;
      end += head.length;
      pending = [];
    }
    let start = 0;
    for (; end !== -1; end = text.indexOf(NEWLINE, start)) {
      batch.push(lineOf(text, start, end));
      start = end + 1;
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  if (pending.length > 0) {
    const last = pending.join('');
    batch.push(lineOf(last, 0, last.length));
  }
  if (batch.length > 0) yield batch;
}

/** text[start, end) without the "\r" of a "\r\n". */
function lineOf(text: string, start: number, end: number): string {
  return text.slice(start, end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN ? end - 1 : end);
}
