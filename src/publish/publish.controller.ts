import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublishPermission } from '../auth/access-control.js';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { RequestValidationError } from '../common/validation/request-validation.error.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { PublishBatchRequestDto } from './publish-batch-request.dto.js';
import { PublishBatchResponseDto } from './publish-batch-response.dto.js';
import { PublishRequestDto } from './publish-request.dto.js';

@ApiTags('publish')
@Controller('api/publish')
export class PublishController {
  constructor(
    private readonly broker: BrokerService,
    private readonly config: GopherMqConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a message to every subscriber of a subject' })
  @ApiOkResponse({ type: StatusResponseDto, description: 'Stored for every subscriber of the subject' })
  @ApiErrors(400, { status: 404, example: 'subscriber not found', description: 'Nobody subscribes to the subject' }, 413, 415, 429)
  async publish(@ValidBody() request: PublishRequestDto): Promise<StatusResponseDto> {
    await this.broker.publish(request.subject, request.data);
    return STATUS_OK;
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish several messages in order; each succeeds or fails on its own',
    description: 'A malformed entry refuses the whole batch with 400 naming its index, and nothing is published.',
  })
  @ApiOkResponse({ type: PublishBatchResponseDto, description: 'Each entry published or refused, in the order sent' })
  @ApiErrors(400, 413, 415)
  async publishBatch(@ValidBody() request: PublishBatchRequestDto, @PublishPermission() mayPublish: (subject: string) => boolean): Promise<PublishBatchResponseDto> {
    const limit = this.config.broker.maxBatchSize;
    if (request.messages.length > limit) {
      throw new RequestValidationError(`messages: at most ${limit} entries`, [`messages: at most ${limit} entries`]);
    }
    return { results: await this.broker.publishBatch(request.messages, mayPublish) };
  }
}
