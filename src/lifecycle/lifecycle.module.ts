import { Global, Module } from '@nestjs/common';
import { Lifecycle } from './lifecycle';

@Global()
@Module({ providers: [Lifecycle], exports: [Lifecycle] })
export class LifecycleModule {}
