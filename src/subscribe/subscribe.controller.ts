import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { SubscribeRequestDto } from './subscribe-request.dto.js';
import { SubscriptionDto } from './subscription.dto.js';
import { UnsubscribeRequestDto } from './unsubscribe-request.dto.js';

@ApiTags('subscribe')
@Controller('api')
export class SubscribeController {
  constructor(private readonly broker: BrokerService) {}

  @Post('subscribe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a subscriber that receives every later message on the subject' })
  @ApiOkResponse({ type: SubscriptionDto, description: 'The new subscriber' })
  @ApiErrors(400, 413, 415, { status: 429, example: 'too many subscribers', description: 'broker.max-subscribers subscribers already exist' })
  async subscribe(@ValidBody() request: SubscribeRequestDto): Promise<SubscriptionDto> {
    const { id, subject } = await this.broker.subscribe(request.subject);
    return { id, subject };
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
