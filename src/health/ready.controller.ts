import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { BrokerError } from '../broker/broker.error.js';
import { BrokerService } from '../broker/broker.service.js';

@ApiTags('health')
@Controller('ready')
export class ReadyController {
  constructor(private readonly broker: BrokerService) {}

  @Get()
  @HttpCode(204)
  @ApiOperation({ summary: 'Readiness: 204 while the broker accepts requests' })
  @ApiNoContentResponse({ description: 'Ready' })
  @ApiServiceUnavailableResponse({ description: 'Shutting down, or the store (Redis) does not answer' })
  async ready(): Promise<void> {
    if (this.broker.isClosing) throw BrokerError.shuttingDown();
    if (!(await this.broker.storeAvailable())) throw BrokerError.storeUnavailable();
  }
}
