import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { PublishRequestDto } from '../publish/publish-request.dto.js';
import { BrokerError } from '../broker/broker.error.js';
import { isPublishSubject } from '../broker/broker.service.js';
import { AsyncPublishQueue } from './async-publish.queue.js';

@ApiTags('publish')
@Controller('api/publish/async')
export class AsyncPublishController {
  constructor(private readonly queue: AsyncPublishQueue) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept a message and publish it in the background',
    description:
      'Answers once the message is queued. A background failure (no subscriber, overflow) is counted in ' +
      'gophermq_async_publish_failures_total and logged; the client is not told.',
  })
  @ApiOkResponse({ type: StatusResponseDto, description: 'Queued; published in the background' })
  @ApiErrors(400, 413, 415, { status: 429, example: 'async queue full', description: 'broker.async-queue-capacity accepted messages are waiting to be published' })
  publish(@ValidBody() request: PublishRequestDto): StatusResponseDto {
    // Refused now, not in the background: a wildcard names no subject to publish to.
    if (!isPublishSubject(request.subject)) throw BrokerError.invalidSubject();
    this.queue.accept({ subject: request.subject, data: request.data });
    return STATUS_OK;
  }
}
