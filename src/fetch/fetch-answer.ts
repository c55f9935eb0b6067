import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LEAN_ENTRY_OVERHEAD, LEAN_RETAINED_ENTRY_OVERHEAD, type FetchedMessages } from '../broker/store/message-store.js';
import type { FetchResponseDto } from './fetch-response.dto.js';

/** Answers whose messages take more characters than this (quoted, with commas) are streamed instead of built whole. */
export const STREAM_ANSWERS_ABOVE_CHARS = 256 * 1024;
/** Characters written per chunk of a streamed answer, one chunk per turn of the event loop. */
const CHUNK_CHARS = 64 * 1024;

/** `{"seq":…,"data":,"deliveries":…}` around a message in `messages`, at most (as the store's byte budget counts it). */
const MESSAGE_ENVELOPE_CHARS = 48;
/** The same on a retained subject, with `,"time":"2026-12-03T14:29:07.123Z"`. */
const RETAINED_ENVELOPE_CHARS = MESSAGE_ENVELOPE_CHARS + 34;

/**
 * The fetch answer as the client reads it. A large one (up to broker.max-fetch-bytes, 8 MiB by
 * default) is written as a stream of chunks, serialized as the socket takes them: building it as
 * one string would hold the event loop for tens of milliseconds (JSON-escaping, then encoding and
 * measuring it for Content-Length), and hold the whole answer twice in memory while a slow client
 * reads it. The bytes are the same JSON either way.
 */
export function fetchAnswer(answer: FetchResponseDto, chars = answerChars(answer.data, answer.messages, answer)): FetchResponseDto | StreamableFile {
  if (chars <= STREAM_ANSWERS_ABOVE_CHARS) return answer;
  return new StreamableFile(Readable.from(chunksOf(answer), { objectMode: false }), { type: 'application/json; charset=utf-8' });
}

/**
 * About the characters these messages take in an answer: each with its quotes and comma, twice when
 * `messages` repeats them (an acknowledged subscriber, a retained subject) with its
 * `{"seq":…,"time":…,"deliveries":…}` around it; once in a lean answer, with its seq, delivery
 * count, time and subject in the arrays beside `data`.
 */
export function answerChars(data: readonly string[], messages?: ReadonlyArray<{ time?: string }>, lean?: Pick<FetchedMessages, 'seqs' | 'times' | 'subjects'>): number {
  let chars = 0;
  for (const message of data) chars += message.length + 3;
  if (messages !== undefined) {
    const envelope = messages[0]?.time !== undefined ? RETAINED_ENVELOPE_CHARS : MESSAGE_ENVELOPE_CHARS;
    return 2 * chars + envelope * data.length;
  }
  if (lean?.seqs === undefined) return chars;
  chars += (lean.times ? LEAN_RETAINED_ENTRY_OVERHEAD : LEAN_ENTRY_OVERHEAD) * data.length;
  for (const subject of lean.subjects ?? []) chars += subject.length + 3;
  return chars;
}

/**
 * `JSON.stringify(answer)` in pieces of about CHUNK_CHARS, one per turn of the event loop: to a
 * client that reads fast every write succeeds at once, so without the pause the whole answer would
 * be written in one turn. A large message is cut into pieces too: encoding a megabyte for the
 * socket costs milliseconds, its JSON.stringify a fraction of that.
 */
async function* chunksOf(answer: FetchResponseDto): AsyncGenerator<string> {
  let chunk = '';
  for (const piece of piecesOf(answer)) {
    chunk += piece;
    if (chunk.length < CHUNK_CHARS) continue;
    for (let start = 0, end; start < chunk.length; start = end) {
      end = start + CHUNK_CHARS;
      if (isHighSurrogate(chunk.charCodeAt(end - 1))) end -= 1; // a pair stays in one piece, or it would be encoded as two U+FFFD
      yield chunk.slice(start, end);
      await nextTurn();
    }
    chunk = '';
  }
  if (chunk !== '') yield chunk;
}

/** The answer's JSON, a message at a time, in the order JSON.stringify writes the object's keys. */
function* piecesOf({ subject, id, data, remaining, acked, messages, seqs, deliveries, times, subjects }: FetchResponseDto): Generator<string> {
  yield `{"subject":${JSON.stringify(subject)},"id":${JSON.stringify(id)},"data":[`;
  for (let i = 0; i < data.length; i++) yield (i > 0 ? ',' : '') + JSON.stringify(data[i]);
  yield `],"remaining":${remaining}`;
  if (acked !== undefined) yield `,"acked":${acked}`;
  if (messages !== undefined) {
    yield ',"messages":[';
    for (let i = 0; i < messages.length; i++) yield (i > 0 ? ',' : '') + JSON.stringify(messages[i]);
    yield ']';
  }
  if (seqs !== undefined) yield `,"seqs":[${seqs.join(',')}]`;
  if (deliveries !== undefined) yield `,"deliveries":[${deliveries.join(',')}]`;
  if (times !== undefined) yield `,"times":${JSON.stringify(times)}`; // 26 characters each, at most 10,000
  if (subjects !== undefined) {
    yield ',"subjects":[';
    for (let i = 0; i < subjects.length; i++) yield (i > 0 ? ',' : '') + JSON.stringify(subjects[i]);
    yield ']';
  }
  yield '}';
}

/** JSON.stringify escapes lone surrogates, so a high one in its output always starts a pair. */
function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
