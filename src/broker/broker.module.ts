import { Module } from '@nestjs/common';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { BrokerService } from './broker.service.js';
import { MemoryMessageStore } from './store/memory-message-store.js';
import { MESSAGE_STORE, type MessageStore } from './store/message-store.js';
import { PUSH_REGISTRY, type PushRegistrySource } from './store/push/push-registry.js';
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
    // Both stores keep one (push/push-registry.ts); its own token, so the contract is not one interface.
    { provide: PUSH_REGISTRY, inject: [MESSAGE_STORE], useFactory: (store: MessageStore & PushRegistrySource) => store.pushRegistry },
    BrokerService,
    SubscriberExpiryService,
  ],
  exports: [BrokerService, PUSH_REGISTRY],
})
export class BrokerModule {}
