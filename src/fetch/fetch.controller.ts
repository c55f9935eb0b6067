import { Controller, HttpCode, Post, Res, type StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { sentIdOf } from '../auth/access-control.js';
import { BrokerService } from '../broker/broker.service.js';
import type { FetchedMessages } from '../broker/store/message-store.js';
import { InFlightRequests } from '../common/http/in-flight-requests.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { fetchAnswer } from './fetch-answer.js';
import { FetchAnswerBudget } from './fetch-answer-budget.js';
import { FetchRequestDto } from './fetch-request.dto.js';
import { FetchResponseDto } from './fetch-response.dto.js';

@ApiTags('fetch')
@Controller('api/fetch')
export class FetchController {
  constructor(
    private readonly broker: BrokerService,
    private readonly inFlight: InFlightRequests,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take the pending messages of a subscriber, optionally waiting for one',
    description:
      'At most once: the messages taken are gone. For an acknowledged subscriber (subscribed with ackWaitMs) they are in flight until acked, nacked or their deadline passes, and `messages` gives their seqs (with `lean`: `seqs` and `deliveries`, arrays beside `data`).',
  })
  @ApiOkResponse({
    type: FetchResponseDto,
    description: 'The messages taken, oldest first; [] when none',
    examples: {
      'at most once': {
        summary: 'A subscriber without ackWaitMs',
        value: { subject: 'orders.created', id: '3b241101-e2bb-4255-8caf-4136c566a962', data: ['{"orderId":42}', '1'], remaining: 0 },
      },
      acknowledged: {
        summary: 'A subscriber with ackWaitMs: the second message is delivered again',
        value: {
          subject: 'orders.created',
          id: '3b241101-e2bb-4255-8caf-4136c566a962',
          data: ['{"orderId":42}', '1'],
          remaining: 0,
          messages: [
            { seq: 1, data: '{"orderId":42}', deliveries: 1 },
            { seq: 2, data: '1', deliveries: 2 },
          ],
        },
      },
      lean: {
        summary: 'The same with `lean`: seqs and delivery counts beside `data`, each message written once',
        value: { subject: 'orders.created', id: '3b241101-e2bb-4255-8caf-4136c566a962', data: ['{"orderId":42}', '1'], remaining: 0, seqs: [1, 2], deliveries: [1, 2] },
      },
    },
  })
  @ApiErrors(400, 404, 413, 415, { status: 503, example: 'too many fetch answers in flight; retry later', description: 'This client (its token, or its connection) holds its share of broker.max-fetch-bytes-in-flight in answers it has not read yet (or: broker is shutting down; or, on broker.store redis, `store unavailable`: Redis did not answer in time)' })
  async fetch(@ValidBody() request: FetchRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<FetchResponseDto | StreamableFile> {
    const { subject, id, max, waitMs, ack, lean } = request;
    const sentId = sentIdOf(request); // with auth on, the tagged id the client holds, not the store's
    const budget = new FetchAnswerBudget(this.inFlight, reply.raw, this.inFlight.admitAnswer(reply.request));
    // Acks first: the room they free under maxAckPending is this fetch's to take.
    const acked = ack === undefined ? undefined : await this.broker.ack(subject, id, ack);
    const signal = waitMs ? abortedWhenClientLeaves(reply) : undefined;
    const taken = await this.broker.fetch(subject, id, { max, waitMs, signal, budget, lean });
    const answer: FetchResponseDto = { subject, id: sentId, data: taken.data, remaining: taken.remaining };
    if (acked !== undefined) answer.acked = acked;
    if (taken.messages) answer.messages = taken.messages;
    else if (taken.seqs) withLeanArrays(answer, taken);
    return fetchAnswer(answer, budget.chars);
  }
}

/** The lean answer's arrays, in the order the answer's JSON has them (fetch-answer.ts streams the same). */
function withLeanArrays(answer: FetchResponseDto, { seqs, deliveries, times, subjects }: FetchedMessages): void {
  answer.seqs = seqs;
  if (deliveries) answer.deliveries = deliveries;
  if (times) answer.times = times;
  if (subjects) answer.subjects = subjects;
}

/**
 * A waiting fetch whose client went away must take nothing. Node emits the response's 'close' only
 * if it is the answer its connection is writing, not for a pipelined one queued behind another, so
 * the connection's 'close' counts too (its listener is removed when the answer ends, as keep-alive
 * connections outlive many fetches).
 */
function abortedWhenClientLeaves(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  const socket = response.req.socket;
  const onClose = () => {
    response.off('close', onClose);
    socket.off('close', onClose);
    if (!response.writableEnded) controller.abort();
  };
  if (response.destroyed || socket.destroyed) controller.abort();
  else {
    response.once('close', onClose);
    socket.once('close', onClose);
  }
  return controller.signal;
}
