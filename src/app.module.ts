import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule, RequestMethod, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AdminWebModule } from './admin-web/admin-web.module';
import { AuthModule } from './auth/auth.module';
import { OverviewModule } from './console/overview.module';
import { ConsoleModule } from './console/console.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { BodyParserMiddleware } from './common/body-parser.middleware';
import type { AppConfig } from './config/app-config';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DirectoryModule } from './directory/directory.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MetricsModule } from './metrics/metrics.module';
import { WorkerOnlyMiddleware } from './lifecycle/worker-only.middleware';
import { PartnerSyncModule } from './partner-sync/partner-sync.module';
import { EventsModule } from './events/events.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { RequestLogModule } from './request-log/request-log.module';
import { FairShareModule } from './common/fair-share/fair-share.module';
import { RateLimitModule } from './common/rate-limit';
import { ScimModule } from './scim/scim.module';

@Module({})
export class AppModule implements NestModule {
  /** `extra`: the API docs (added by createApp), and probe modules tests mount next to the real ones. */
  static forRoot(config: AppConfig, extra: (Type | DynamicModule)[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LifecycleModule,
        DatabaseModule,
        JobsModule.forRoot(config),
        DirectoryModule,
        AuthModule,
        // First of the doors: the SCIM routes, the busiest, are matched before everyone else's.
        ScimModule,
        AdminModule,
        AdminWebModule,
        OverviewModule,
        ConsoleModule,
        RateLimitModule,
        FairShareModule,
        ProvisioningModule,
        PartnerSyncModule,
        EventsModule,
        RequestLogModule,
        HealthModule,
        MetricsModule,
        ...extra,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.config.appRole === 'worker') {
      consumer
        .apply(WorkerOnlyMiddleware)
        .exclude(
          ...['health', 'health/live', 'health/ready', 'metrics'].map((path) => ({ path, method: RequestMethod.GET })),
        )
        .forRoutes('*path');
    }
    // Request capture and the correlation id come before this, in createApp: ahead of the router.
    consumer.apply(BodyParserMiddleware).forRoutes('*path');
  }
}
