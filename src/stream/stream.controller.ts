import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessControl, sentIdOf } from '../auth/access-control.js';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { NDJSON_MEDIA_TYPE, SSE_MEDIA_TYPE, formatFor } from './stream-format.js';
import { StreamHub } from './stream-hub.js';
import { DEFAULT_STREAM_IN_FLIGHT, MAX_STREAM_IN_FLIGHT, readStreamQuery } from './stream-query.js';

const SSE_EXAMPLE =
  'event: open\ndata: {"id":"3b241101-e2bb-4255-8caf-4136c566a962","subject":"orders.created"}\n\n' +
  'id: 7\nevent: message\ndata: {"subject":"orders.created","seq":7,"data":"{\\"orderId\\":42}"}\n\n' +
  ': keepalive\n\n' +
  'event: close\ndata: {"reason":"unsubscribed"}\n\n';
const NDJSON_EXAMPLE =
  '{"event":"open","id":"3b241101-e2bb-4255-8caf-4136c566a962","subject":"orders.created"}\n' +
  '{"event":"message","subject":"orders.created","seq":7,"data":"{\\"orderId\\":42}"}\n' +
  '{"event":"keepalive"}\n' +
  '{"event":"close","reason":"shutdown"}\n';

@ApiTags('stream')
@Controller('api/stream')
export class StreamController {
  constructor(
    private readonly hub: StreamHub,
    private readonly broker: BrokerService,
    private readonly access: AccessControl,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Stream the messages of a subscriber as they become available (Server-Sent Events or JSON lines)',
    description:
      'What a fetch would take, without polling: each message is taken when it is written to the stream (at most once; in flight until acked for an acknowledged subscriber). ' +
      'Without `id`, an ephemeral subscriber is created for the stream and removed when it ends. `Accept: application/x-ndjson` answers one JSON object per line; anything else, Server-Sent Events. ' +
      'The token may be sent as `access_token` in the query (for EventSource, which cannot send headers): URLs end up in proxies\' logs, the broker\'s own logs never print it. ' +
      'Keep-alives every broker.stream-heartbeat seconds; the stream ends with a `close` event on unsubscribe or shutdown.',
  })
  @ApiQuery({ name: 'subject', required: true, type: String, example: 'orders.created' })
  @ApiQuery({ name: 'id', required: false, type: String, description: 'An existing subscriber (the id subscribe returned); absent: an ephemeral subscriber on `subject`' })
  @ApiQuery({ name: 'maxInFlight', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_STREAM_IN_FLIGHT, default: DEFAULT_STREAM_IN_FLIGHT }, description: "Acknowledged subscriber: most of its messages in flight (unacked) while the stream takes more; never above its maxAckPending" })
  @ApiQuery({ name: 'deliver', required: false, enum: ['new', 'all', 'last'], description: 'Ephemeral subscriber on a retained subject: where it starts (or fromSeq, fromTime)' })
  @ApiQuery({ name: 'fromSeq', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Ephemeral subscriber on a retained subject: start at the first retained message with seq ≥ this' })
  @ApiQuery({ name: 'fromTime', required: false, schema: { type: 'string', format: 'date-time' }, description: 'Ephemeral subscriber on a retained subject: start at the first message published at or after this' })
  @ApiQuery({ name: 'access_token', required: false, type: String, description: 'The bearer token, for clients that cannot send an Authorization header (EventSource); with auth on' })
  // The media types are the 200's own (content below): the errors stay application/json.
  @ApiOkResponse({
    description: 'The stream: an open event, then one event per message, keep-alives, and a close event at unsubscribe or shutdown',
    content: {
      [SSE_MEDIA_TYPE]: { schema: { type: 'string' }, example: SSE_EXAMPLE },
      [NDJSON_MEDIA_TYPE]: { schema: { type: 'string' }, example: NDJSON_EXAMPLE },
    },
  })
  @ApiErrors(
    { status: 400, example: 'invalid subject', description: "Invalid subject, or a query parameter out of range (`request's query is invalid`, with `errors`); a `deliver` on a subject without retention" },
    404,
    { status: 429, example: 'too many streams', description: 'broker.max-streams streams are open on this instance (or, without id: `too many subscribers`)' },
  )
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const query = readStreamQuery(request.query);
    const format = formatFor(request.headers.accept);
    const { subject, maxInFlight } = query;
    this.hub.admit();
    let subscriberId: string;
    let clientId: string;
    try {
      if (query.id !== undefined) {
        await this.broker.pending(subject, query.id); // 404 `bad id` before the stream starts
        subscriberId = query.id;
        clientId = sentIdOf(request.query as { id: string }); // access control put the store's id in the query
      } else {
        ({ id: subscriberId } = await this.broker.subscribe(subject, undefined, { deliver: query.deliver }));
        clientId = this.access.clientIdOf(request, subscriberId);
      }
    } catch (error) {
      this.hub.release();
      throw error;
    }
    reply.hijack();
    this.hub.start(reply.raw, { subject, subscriberId, clientId, maxInFlight, ephemeral: query.id === undefined, format });
  }
}
