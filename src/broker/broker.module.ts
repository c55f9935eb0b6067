import { Module } from '@nestjs/common';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { BrokerService } from './broker.service.js';
import { MemoryMessageStore } from './store/memory-message-store.js';
import { MESSAGE_STORE } from './store/message-store.js';
import { SubscriberExpiryService } from './subscriber-expiry.service.js';

@Module({
  providers: [
    {
      provide: MESSAGE_STORE,
      inject: [GopherMqConfig],
      useFactory: ({ broker }: GopherMqConfig) =>
        new MemoryMessageStore({ maxPending: broker.maxPending, maxPendingBytes: broker.maxPendingBytes, maxSubscribers: broker.maxSubscribers }),
    },
    BrokerService,
    SubscriberExpiryService,
  ],
  exports: [BrokerService],
})
export class BrokerModule {}
