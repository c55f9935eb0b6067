import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { AnswersInFlight } from './answers-in-flight.js';
import { FetchController } from './fetch.controller.js';

@Module({ imports: [BrokerModule], controllers: [FetchController], providers: [AnswersInFlight] })
export class FetchModule {}
