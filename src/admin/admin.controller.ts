import { Controller, Get, HttpCode, Param, Post, Query as QueryParams } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { STATUS_OK, StatusResponseDto } from '../common/status-response.dto.js';
import { ValidBody } from '../common/validation/valid-body.decorator.js';
import { BrokerStatsDto, PeekAnswerDto, PurgeAnswerDto, SubjectDetailDto, SubjectPageDto } from './admin-answers.dto.js';
import type { Query } from './admin-query.js';
import { AdminUnsubscribeRequestDto, PeekRequestDto, PurgeRequestDto } from './admin-requests.dto.js';
import { AdminService } from './admin.service.js';

const LIMIT = { name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, description: '1..1000, default 100' } as const;
const CURSOR = { name: 'cursor', required: false, type: String, description: "The previous page's `next`" } as const;
const BAD_QUERY = { status: 400, example: 'limit: must be an integer from 1 to 1000', description: '`limit`, `prefix` or `cursor` out of range, named in the message' };
const NO_SUBJECT = { status: 404, example: 'subject not found', description: 'The subject has no subscriber and retains nothing' };

@ApiTags('admin')
@Controller('api/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('subjects')
  @ApiOperation({ summary: 'List subjects with their figures', description: 'Ordered by subject (code points); pages resume after the last subject seen, so subjects that come and go never shift a page.' })
  @ApiQuery({ name: 'prefix', required: false, type: String, description: 'Only subjects starting with it' })
  @ApiQuery(LIMIT)
  @ApiQuery(CURSOR)
  @ApiOkResponse({ type: SubjectPageDto })
  @ApiErrors(BAD_QUERY)
  subjects(@QueryParams() query: Query): Promise<SubjectPageDto> {
    return this.admin.subjects(query);
  }

  @Get('subjects/:subject')
  @ApiOperation({ summary: "A subject's figures and its subscribers (a page, ordered by id)" })
  @ApiParam({ name: 'subject', description: 'The subject, URL-encoded' })
  @ApiQuery(LIMIT)
  @ApiQuery(CURSOR)
  @ApiOkResponse({ type: SubjectDetailDto })
  @ApiErrors({ ...BAD_QUERY, description: 'Invalid subject, or `limit` or `cursor` out of range' }, NO_SUBJECT)
  subject(@Param('subject') subject: string, @QueryParams() query: Query): Promise<SubjectDetailDto> {
    return this.admin.subject(subject, query);
  }

  @Post('peek')
  @HttpCode(200)
  @ApiOperation({ summary: 'Look at the next messages of a subscriber, or the oldest of a subject, without taking them', description: 'Nothing changes: no delivery, no activity, no expiry.' })
  @ApiOkResponse({ type: PeekAnswerDto })
  @ApiErrors(400, { status: 404, example: 'subject not found', description: 'No such subject (`subject not found`) or subscriber (`bad id`)' }, 413, 415)
  peek(@ValidBody() request: PeekRequestDto): Promise<PeekAnswerDto> {
    return this.admin.peek(request.subject, request.id, request.max);
  }

  @Post('purge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Drop the pending messages of a subject, or of one subscriber',
    description: 'What each subscriber could fetch now is gone; messages in flight stay until settled. Without id on a retained subject its retained messages go too.',
  })
  @ApiOkResponse({ type: PurgeAnswerDto })
  @ApiErrors(400, { status: 404, example: 'subject not found', description: 'No such subject (`subject not found`) or subscriber (`bad id`)' }, 413, 415)
  async purge(@ValidBody() request: PurgeRequestDto): Promise<PurgeAnswerDto> {
    return { purged: await this.admin.purge(request.subject, request.id) };
  }

  @Post('unsubscribe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove any subscriber (a forced unsubscribe)', description: 'By its store id; its waiting fetches answer at once.' })
  @ApiOkResponse({ type: StatusResponseDto })
  @ApiErrors(400, 404, 413, 415)
  async unsubscribe(@ValidBody() request: AdminUnsubscribeRequestDto): Promise<StatusResponseDto> {
    await this.admin.unsubscribe(request.subject, request.id);
    return STATUS_OK;
  }

  @Get('stats')
  @ApiOperation({ summary: 'Broker-wide counts, limits, uptime, version, store' })
  @ApiOkResponse({ type: BrokerStatsDto })
  @ApiErrors()
  stats(): Promise<BrokerStatsDto> {
    return this.admin.stats();
  }
}
