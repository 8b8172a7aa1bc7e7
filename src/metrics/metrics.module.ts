import { Global, Module } from '@nestjs/common';
import { RequestLogModule } from '../request-log/request-log.module';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics.listener';
import { ScrapeGauges } from './scrape-gauges';

/**
 * Prometheus metrics (issue 17): `Metrics` records, `GET /metrics` (METRICS_TOKEN) and the
 * METRICS_PORT listener serve. Global, so any module records through `Metrics` without importing
 * this one. The controller is always mounted (the OpenAPI document is the same for every
 * configuration); without METRICS_TOKEN it answers 404.
 */
@Global()
@Module({
  imports: [RequestLogModule],
  controllers: [MetricsController],
  providers: [Metrics, MetricsListener, ScrapeGauges],
  exports: [Metrics],
})
export class MetricsModule {}
