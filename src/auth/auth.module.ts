import { Module } from '@nestjs/common';
import { AccessControl } from './access-control.js';
import { RequestDenials } from './request-denials.js';

/** Bearer tokens with subject permissions (auth.*); its hooks are added only when auth.enable is on. */
@Module({ providers: [RequestDenials, AccessControl], exports: [RequestDenials, AccessControl] })
export class AuthModule {}
