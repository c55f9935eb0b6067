import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { ackSettingsOf } from './ack-settings.js';
import { SubscribeRequestDto } from './subscribe-request.dto.js';
import { SubscriptionDto } from './subscription.dto.js';
import { UnsubscribeRequestDto } from './unsubscribe-request.dto.js';

@ApiTags('subscribe')
@Controller('api')
export class SubscribeController {
  constructor(private readonly broker: BrokerService) {}

  @Post('subscribe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a subscriber that receives every later message on the subject',
    description: 'At most once by default; with ackWaitMs, at least once: fetched messages stay in flight until acked, nacked or their deadline passes.',
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
    },
  })
  @ApiErrors(
    { status: 400, example: 'invalid subject', description: "Invalid subject (400 `invalid subject`), or an acknowledgement field out of range or without the one it needs (400 `request's body is invalid`, `errors` naming it)" },
    413,
    415,
    { status: 429, example: 'too many subscribers', description: 'broker.max-subscribers subscribers already exist' },
  )
  async subscribe(@ValidBody() request: SubscribeRequestDto): Promise<SubscriptionDto> {
    const { id, subject, ack } = await this.broker.subscribe(request.subject, ackSettingsOf(request));
    return ack ? { id, subject, ...ack } : { id, subject };
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
