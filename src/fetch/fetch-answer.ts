import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FetchResponseDto } from './fetch-response.dto.js';

/** Answers whose messages hold more characters than this are streamed instead of built whole. */
export const STREAM_ANSWERS_ABOVE_CHARS = 256 * 1024;
/** Characters of messages serialized per chunk of a streamed answer: one chunk per turn of the event loop. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The fetch answer as the client reads it. A large one (up to broker.max-fetch-bytes, 8 MiB by
 * default) is written as a stream of chunks, serialized as the socket takes them: building it as
 * one string would hold the event loop for tens of milliseconds (JSON-escaping, then encoding and
 * measuring it for Content-Length), and hold the whole answer twice in memory while a slow client
 * reads it. The bytes are the same JSON either way.
 */
export function fetchAnswer(answer: FetchResponseDto): FetchResponseDto | StreamableFile {
  let chars = 0;
  for (const message of answer.data) chars += message.length;
  if (chars <= STREAM_ANSWERS_ABOVE_CHARS) return answer;
  return new StreamableFile(Readable.from(chunksOf(answer), { objectMode: false }), { type: 'application/json; charset=utf-8' });
}

/**
 * `JSON.stringify(answer)`, in pieces of about CHUNK_CHARS (a message larger than that is a piece
 * of its own), one per turn of the event loop: a client that reads fast would otherwise take the
 * whole answer in one turn, as each write to its socket succeeds at once.
 */
async function* chunksOf({ subject, id, data, remaining }: FetchResponseDto): AsyncGenerator<string> {
  let chunk = `{"subject":${JSON.stringify(subject)},"id":${JSON.stringify(id)},"data":[`;
  for (let i = 0; i < data.length; i++) {
    chunk += (i > 0 ? ',' : '') + JSON.stringify(data[i]);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
      await nextTurn();
    }
  }
  yield `${chunk}],"remaining":${remaining}}`;
}
