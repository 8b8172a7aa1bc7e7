import { Module } from '@nestjs/common';
import { RequestLogModule } from '../request-log/request-log.module';
import { HealthController } from './health.controller';

@Module({ imports: [RequestLogModule], controllers: [HealthController] })
export class HealthModule {}
