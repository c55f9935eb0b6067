import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AckModule } from './ack/ack.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AsyncPublishModule } from './async-publish/async-publish.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BrokerModule } from './broker/broker.module.js';
import { BrokerExceptionFilter } from './common/errors/broker-exception.filter.js';
import { CatchAllFilter } from './common/errors/catch-all.filter.js';
import { InFlightRequestsModule } from './common/http/in-flight-requests.module.js';
import { ConfigModule } from './config/config.module.js';
import { GopherMqConfig } from './config/gophermq-config.js';
import { FetchModule } from './fetch/fetch.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PublishModule } from './publish/publish.module.js';
import { StreamModule } from './stream/stream.module.js';
import { SubscribeModule } from './subscribe/subscribe.module.js';

@Module({})
export class AppModule {
  static forRoot(config: GopherMqConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventEmitterModule.forRoot(),
        BrokerModule,
        InFlightRequestsModule,
        AuthModule,
        PublishModule,
        AsyncPublishModule,
        SubscribeModule,
        FetchModule,
        AckModule,
        StreamModule,
        HealthModule,
        ...(config.broker.serveAdmin ? [AdminModule] : []),
        MetricsModule.forRoot(config),
      ],
      providers: [
        // Nest tries global filters last-registered first: the catch-all goes first so it is the fallback.
        { provide: APP_FILTER, useClass: CatchAllFilter },
        { provide: APP_FILTER, useClass: BrokerExceptionFilter },
      ],
    };
  }
}
