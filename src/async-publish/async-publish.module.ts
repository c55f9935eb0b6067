import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { AsyncPublishController } from './async-publish.controller.js';
import { AsyncPublishQueue } from './async-publish.queue.js';
import { AsyncPublishWorker } from './async-publish.worker.js';

@Module({
  imports: [BrokerModule],
  controllers: [AsyncPublishController],
  providers: [AsyncPublishQueue, AsyncPublishWorker],
  exports: [AsyncPublishQueue],
})
export class AsyncPublishModule {}
