import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RequestActivityRepository } from './request-activity.repository';
import { RequestCaptureMiddleware } from './request-capture.middleware';
import { RequestLogRetention } from './request-log.retention';
import { RequestLogStream } from './request-log.stream';
import { RequestLogWriter } from './request-log.writer';
import { RequestLogsController } from './request-logs.controller';
import { RequestLogsRepository } from './request-logs.repository';
import { RequestLogsService } from './request-logs.service';

/**
 * The request log: capture (a middleware createApp puts ahead of every route), the buffered writer,
 * retention, and the operators' endpoints. Deliberately not global: Nest shuts global modules
 * down last, so the writer's final flush runs before DatabaseModule closes the pool.
 */
@Module({
  imports: [AuthModule],
  controllers: [RequestLogsController],
  providers: [
    RequestLogsRepository,
    RequestActivityRepository,
    RequestLogWriter,
    RequestLogsService,
    RequestLogStream,
    RequestLogRetention,
    RequestCaptureMiddleware,
  ],
  // Capture is installed by createApp; the writer also serves /health.
  exports: [RequestLogWriter, RequestCaptureMiddleware],
})
export class RequestLogModule {}
