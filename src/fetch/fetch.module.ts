import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { FetchController } from './fetch.controller.js';

@Module({ imports: [BrokerModule], controllers: [FetchController] })
export class FetchModule {}
