import { Module } from '@nestjs/common';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { BrokerService } from './broker.service.js';
import { MemoryMessageStore } from './store/memory-message-store.js';
import { MESSAGE_STORE } from './store/message-store.js';
import { RedisMessageStore } from './store/redis/redis-message-store.js';
import { SubscriberExpiryService } from './subscriber-expiry.service.js';

@Module({
  providers: [
    {
      provide: MESSAGE_STORE,
      inject: [GopherMqConfig],
      // The broker settings carry the store's limits (StoreLimits) under the same names.
      useFactory: async ({ broker, redis, retention }: GopherMqConfig) => {
        if (broker.store === 'memory') return new MemoryMessageStore(broker, retention);
        const store = new RedisMessageStore(broker, redis, retention);
        await store.connect();
        return store;
      },
    },
    BrokerService,
    SubscriberExpiryService,
  ],
  exports: [BrokerService],
})
export class BrokerModule {}
