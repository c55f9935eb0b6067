import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { PublishRequestDto } from './publish-request.dto.js';

@ApiTags('publish')
@Controller('api/publish')
export class PublishController {
  constructor(private readonly broker: BrokerService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a message to every subscriber of a subject' })
  @ApiOkResponse({ type: StatusResponseDto })
  @ApiErrors(400, 404, 413, 415, 429)
  async publish(@Body() request: PublishRequestDto): Promise<StatusResponseDto> {
    await this.broker.publish(request.subject, request.data);
    return STATUS_OK;
  }
}
