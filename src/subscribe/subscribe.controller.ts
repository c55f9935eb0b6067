import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SubscriberOwner } from '../auth/access-control.js';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { PushService } from '../push/push.service.js';
import { ackSettingsOf } from './ack-settings.js';
import { deliverOf } from './deliver-policy.js';
import { SubscribeRequestDto } from './subscribe-request.dto.js';
import { SubscriptionDto } from './subscription.dto.js';
import { UnsubscribeRequestDto } from './unsubscribe-request.dto.js';

@ApiTags('subscribe')
@Controller('api')
export class SubscribeController {
  constructor(
    private readonly broker: BrokerService,
    private readonly push: PushService,
  ) {}

  @Post('subscribe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a subscriber that receives every later message on the subject',
    description:
      'At most once by default; with ackWaitMs, at least once: fetched messages stay in flight until acked, nacked or their deadline passes. With a name: the subscriber of that name on the subject, created by the first such subscribe. With pushUrl: a push subscriber (webhook), whose messages the broker POSTs to that URL, a 2xx answer acking each.',
  })
  @ApiOkResponse({
    type: SubscriptionDto,
    description: 'The new subscriber, with the acknowledgement settings it was given',
    examples: {
      'at most once': { summary: 'Without ackWaitMs', value: { id: '3b241101-e2bb-4255-8caf-4136c566a962', subject: 'orders.created' } },
      acknowledged: {
        summary: 'With ackWaitMs, maxDeliveries and deadLetterSubject',
        value: { id: '3b241101-e2bb-4255-8caf-4136c566a962', subject: 'orders.created', ackWaitMs: 30000, maxDeliveries: 5, deadLetterSubject: 'orders.created.dead', maxAckPending: 1000 },
      },
      push: {
        summary: 'With pushUrl: the broker POSTs each message',
        value: { id: '3b241101-e2bb-4255-8caf-4136c566a962', subject: 'orders.created', pushUrl: 'https://hooks.internal/orders', pushConcurrency: 10, ackWaitMs: 30000, maxAckPending: 10 },
      },
    },
  })
  @ApiErrors(
    {
      status: 400,
      example: 'invalid subject',
      description:
        "Invalid subject (400 `invalid subject`), or a name or an acknowledgement field out of range or without the one it needs (400 `request's body is invalid`, `errors` naming it), or an invalid `deliver` (400 naming it), or `deliver` other than `new` on a subject without retention (400 `subject does not retain messages`), or a pushUrl outside push.allowed-urls (400 `push URL not allowed`) or with push.allowed-urls empty (400 `push delivery is not enabled`)",
    },
    {
      status: 409,
      example: 'subscriber exists with other settings',
      description: 'The name exists on the subject with other effective settings (`subscriber exists with other settings`), or, with auth on, belongs to another token (`subscriber name taken`)',
    },
    413,
    415,
    { status: 429, example: 'too many subscribers', description: 'broker.max-subscribers subscribers already exist' },
  )
  async subscribe(@ValidBody() request: SubscribeRequestDto, @SubscriberOwner() owner: string | undefined): Promise<SubscriptionDto> {
    const deliver = deliverOf(request.deliver);
    const ack = ackSettingsOf(request);
    const options = request.name === undefined ? (deliver === undefined ? undefined : { deliver }) : { name: request.name, owner, deliver };
    // With pushUrl ackSettingsOf always gives settings: a push subscriber is acknowledged.
    const pushed = request.pushUrl === undefined ? undefined : await this.push.subscribe(request.subject, ack!, request.pushUrl, options);
    const subscriber = pushed ?? (await this.broker.subscribe(request.subject, ack, options));
    const { id, subject, name } = subscriber;
    const answer: SubscriptionDto = name === undefined ? { id, subject } : { id, subject, name };
    if (deliver !== undefined) answer.deliver = request.deliver;
    if (pushed) Object.assign(answer, { pushUrl: pushed.push.url, pushConcurrency: pushed.push.concurrency });
    return subscriber.ack ? { ...answer, ...subscriber.ack } : answer;
  }

  @Post('unsubscribe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Remove a subscriber and release its pending messages',
    description: 'A fetch waiting for this subscriber answers at once with what it has.',
  })
  @ApiOkResponse({ type: StatusResponseDto, description: 'Removed, with what it still held' })
  @ApiErrors(400, 404, 413, 415)
  async unsubscribe(@ValidBody() request: UnsubscribeRequestDto): Promise<StatusResponseDto> {
    await this.broker.unsubscribe(request.subject, request.id);
    return STATUS_OK;
  }
}
