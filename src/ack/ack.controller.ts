import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BrokerService } from '../broker/broker.service.js';
import { ApiErrors, type ApiError } from '../common/openapi/api-errors.decorator.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { AckResponseDto } from './ack-response.dto.js';
import { ExtendResponseDto } from './extend-response.dto.js';
import { NackRequestDto } from './nack-request.dto.js';
import { NackResponseDto } from './nack-response.dto.js';
import { SettleRequestDto } from './settle-request.dto.js';

const NOT_ACKNOWLEDGED: ApiError = {
  status: 400,
  example: 'subscriber does not use acknowledgements',
  description: 'The subscriber was created without ackWaitMs (400 `subscriber does not use acknowledgements`), an invalid subject, or a malformed body (`errors` naming the field)',
};

/** Settling the messages an acknowledged subscriber fetched. */
@ApiTags('acknowledge')
@Controller('api')
export class AckController {
  constructor(private readonly broker: BrokerService) {}

  @Post('ack')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Done: settle in-flight messages for good',
    description: 'Idempotent: seqs that are unknown, settled already, or no longer in flight (deadline passed, nacked) are not errors; they do not count.',
  })
  @ApiOkResponse({ type: AckResponseDto, description: 'How many were in flight and are now settled' })
  @ApiErrors(NOT_ACKNOWLEDGED, 404, 413, 415)
  async ack(@ValidBody() request: SettleRequestDto): Promise<AckResponseDto> {
    return { acked: await this.broker.ack(request.subject, request.id, request.seqs) };
  }

  @Post('nack')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Not done: make in-flight messages available again, now or after delayMs',
    description: 'They are delivered again before newer messages, lowest seq first; a waiting fetch is woken.',
  })
  @ApiOkResponse({ type: NackResponseDto, description: 'How many were in flight and are available again (after delayMs)' })
  @ApiErrors(NOT_ACKNOWLEDGED, 404, 413, 415)
  async nack(@ValidBody() request: NackRequestDto): Promise<NackResponseDto> {
    return { nacked: await this.broker.nack(request.subject, request.id, request.seqs, request.delayMs ?? 0) };
  }

  @Post('extend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Still working: restart the deadline of in-flight messages (ackWaitMs from now)' })
  @ApiOkResponse({ type: ExtendResponseDto, description: 'How many were in flight and have a new deadline' })
  @ApiErrors(NOT_ACKNOWLEDGED, 404, 413, 415)
  async extend(@ValidBody() request: SettleRequestDto): Promise<ExtendResponseDto> {
    return { extended: await this.broker.extend(request.subject, request.id, request.seqs) };
  }
}
