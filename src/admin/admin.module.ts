import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { StreamModule } from '../stream/stream.module.js';
import { AdminController } from './admin.controller.js';
import { AdminService } from './admin.service.js';
import { RequestTotalsReader } from './request-totals.js';

/** The management API under /api/admin (broker.serve-admin). */
@Module({ imports: [BrokerModule, StreamModule], controllers: [AdminController], providers: [AdminService, RequestTotalsReader] })
export class AdminModule {}
