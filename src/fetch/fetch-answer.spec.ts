import { StreamableFile } from '@nestjs/common';
import { answerChars, fetchAnswer, STREAM_ANSWERS_ABOVE_CHARS } from './fetch-answer.js';

async function bodyOf(answer: ReturnType<typeof fetchAnswer>): Promise<{ text: string; chunks: number }> {
  if (!(answer instanceof StreamableFile)) return { text: JSON.stringify(answer), chunks: 1 };
  const chunks: Buffer[] = [];
  for await (const chunk of answer.getStream()) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length };
}

describe(fetchAnswer.name, () => {
  const answerOf = (data: string[]) => ({ subject: 'orders."quoted"', id: '3b241101-e2bb-4255-8caf-4136c566a962', data, remaining: 7 });

  it('returns a small answer as it is, for Fastify to serialize', () => {
    const answer = answerOf(['a', 'b']);
    expect(fetchAnswer(answer)).toBe(answer);
  });

  it.each([
    ['many small messages', Array.from({ length: 40_000 }, (_, i) => `message ${i} "quoted" \\ \n`)],
    ['a few large ones with control characters', Array.from({ length: 4 }, () => '\u0001ü😀'.repeat(100_000))],
    ['one just past the threshold', ['x'.repeat(STREAM_ANSWERS_ABOVE_CHARS + 1)]],
  ])('streams a large answer (%s) as exactly the JSON Fastify would have sent, in several chunks', async (_, data) => {
    const answer = answerOf(data);
    const streamed = fetchAnswer(answer);
    expect(streamed).toBeInstanceOf(StreamableFile);
    expect((streamed as StreamableFile).getHeaders().type).toBe('application/json; charset=utf-8');
    const { text, chunks } = await bodyOf(streamed);
    const expected = JSON.stringify(answer);
    expect(text.length).toBe(expected.length);
    expect(text === expected).toBe(true); // not toBe: a diff of megabytes helps nobody
    expect(chunks).toBeGreaterThan(1);
  });

  describe('of an acknowledged subscriber', () => {
    const acknowledged = (data: string[]) => ({
      ...answerOf(data),
      messages: data.map((message, i) => ({ seq: i + 1, data: message, deliveries: (i % 3) + 1 })),
    });

    it('returns a small answer as it is', () => {
      const answer = acknowledged(['a', 'b']);
      expect(fetchAnswer(answer)).toBe(answer);
    });

    it('counts the messages twice, since `messages` repeats them, with room for seq and deliveries', () => {
      expect(answerChars(['ab', 'c'])).toBe(5 + 4);
      expect(answerChars(['ab', 'c'], [{}, {}])).toBe(2 * (5 + 4) + 2 * 48);
      expect(answerChars(['ab', 'c'], [{ time: 't' }, { time: 't' }])).toBe(2 * (5 + 4) + 2 * 82);
      const answer = acknowledged(['x'.repeat(STREAM_ANSWERS_ABOVE_CHARS / 2 + 1)]);
      expect(fetchAnswer(answer)).toBeInstanceOf(StreamableFile);
    });

    it.each([
      ['many small messages', Array.from({ length: 20_000 }, (_, i) => `message ${i} "quoted" \\ \n`)],
      ['a few large ones with control characters', Array.from({ length: 3 }, () => '\u0001ü😀'.repeat(100_000))],
    ])('streams a large answer (%s), messages included, as exactly JSON.stringify of it', async (_, data) => {
      const answer = acknowledged(data);
      const { text, chunks } = await bodyOf(fetchAnswer(answer));
      const expected = JSON.stringify(answer);
      expect(text.length).toBe(expected.length);
      expect(text === expected).toBe(true);
      expect(chunks).toBeGreaterThan(1);
    });
  });

  describe('lean (seqs and the rest as arrays beside data)', () => {
    const lean = (data: string[], extra: Record<string, unknown[]> = {}) => ({ ...answerOf(data), acked: 2, seqs: data.map((_, i) => i + 1), deliveries: data.map(() => 1), ...extra });

    it('counts each message once, with room for its seq and deliveries (and time, subject)', () => {
      expect(answerChars(['ab', 'c'], undefined, { seqs: [1, 2] })).toBe(5 + 4 + 2 * 20);
      expect(answerChars(['ab', 'c'], undefined, { seqs: [1, 2], times: ['t', 't'] })).toBe(5 + 4 + 2 * 47);
      expect(answerChars(['ab', 'c'], undefined, { seqs: [1, 2], subjects: ['a.b', 'a.cd'] })).toBe(5 + 4 + 2 * 20 + 6 + 7);
    });

    it.each([
      ['acknowledged', {}],
      ['retained', { times: Array.from({ length: 20_000 }, () => '2026-12-03T14:29:07.123Z') }],
      ['a pattern, subjects quoted', { subjects: Array.from({ length: 20_000 }, (_, i) => `orders."${i}"`) }],
    ])('streams a large answer (%s) as exactly JSON.stringify of it, arrays in order', async (_, extra) => {
      const data = Array.from({ length: 20_000 }, (_, i) => `message ${i} "quoted" \\ \n`);
      const answer = lean(data, extra);
      const { text, chunks } = await bodyOf(fetchAnswer(answer));
      const expected = JSON.stringify(answer);
      expect(text.length).toBe(expected.length);
      expect(text === expected).toBe(true);
      expect(chunks).toBeGreaterThan(1);
    });
  });
});
