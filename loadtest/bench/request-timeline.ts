/**
 * Where a client command's time goes between its requests: preloaded into it, it records when each
 * `node:http` request was made, when its answer began and when it ended, and at exit prints (on
 * standard error) the time to the first request, the sum of request → first byte of the answer (the
 * broker's work and the transfer), and the sum of answer end → next request (the command's own
 * work between batches).
 *
 *   npm run bench:build && seq 100000 | node --import ./loadtest/bench/dist/request-timeline.js dist/cli.js pub jobs
 */
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const loaded = performance.now();
const requests: Array<{ sent: number; answered: number; ended: number }> = [];
const request = http.request;
http.request = function timed(this: unknown, ...args: Parameters<typeof http.request>) {
  const outgoing = request.apply(this, args);
  const sent = performance.now();
  outgoing.on('response', (answer) => {
    const answered = performance.now();
    answer.on('end', () => requests.push({ sent, answered, ended: performance.now() }));
  });
  return outgoing;
} as typeof http.request;
syncBuiltinESMExports();

process.on('exit', () => {
  if (requests.length === 0) return;
  let toFirstByte = 0;
  let between = 0;
  for (let i = 0; i < requests.length; i++) {
    toFirstByte += requests[i].answered - requests[i].sent;
    if (i > 0) between += requests[i].sent - requests[i - 1].ended;
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  process.stderr.write(
    `${requests.length} requests; first sent ${ms(requests[0].sent - loaded)} after start-up; request → first byte, summed: ${ms(toFirstByte)}; ` +
      `answer end → next request, summed: ${ms(between)}; exit ${ms(performance.now() - loaded)} after start-up\n`,
  );
});
