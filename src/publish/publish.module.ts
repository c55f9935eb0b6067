import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { PublishController } from './publish.controller.js';

@Module({ imports: [BrokerModule], controllers: [PublishController] })
export class PublishModule {}
