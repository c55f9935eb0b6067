import { Controller, HttpCode, Post, Res, type StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { fetchAnswer } from './fetch-answer.js';
import { FetchRequestDto } from './fetch-request.dto.js';
import { FetchResponseDto } from './fetch-response.dto.js';

@ApiTags('fetch')
@Controller('api/fetch')
export class FetchController {
  constructor(private readonly broker: BrokerService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take the pending messages of a subscriber, optionally waiting for one',
    description:
      'At most once: the messages taken are gone. For an acknowledged subscriber (subscribed with ackWaitMs) they are in flight until acked, nacked or their deadline passes, and `messages` gives their seqs.',
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
    },
  })
  @ApiErrors(400, 404, 413, 415)
  async fetch(@ValidBody() request: FetchRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<FetchResponseDto | StreamableFile> {
    const { subject, id, max, waitMs } = request;
    const signal = waitMs ? abortedWhenClientLeaves(reply) : undefined;
    const { data, remaining, messages } = await this.broker.fetch(subject, id, { max, waitMs, signal });
    return fetchAnswer(messages ? { subject, id, data, remaining, messages } : { subject, id, data, remaining });
  }
}

/** A waiting fetch whose client went away must take nothing. */
function abortedWhenClientLeaves(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller.signal;
}
