import { DynamicModule, Global, Module } from '@nestjs/common';
import { GopherMqConfig } from './gophermq-config.js';

/** Makes the one validated configuration injectable everywhere as `GopherMqConfig`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: GopherMqConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: GopherMqConfig, useValue: config }], exports: [GopherMqConfig] };
  }
}
