import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { AdminController } from './admin.controller.js';
import { AdminService } from './admin.service.js';

/** The management API under /api/admin (broker.serve-admin). */
@Module({ imports: [BrokerModule], controllers: [AdminController], providers: [AdminService] })
export class AdminModule {}
