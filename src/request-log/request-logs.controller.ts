import { Controller, Delete, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { DeleteRequestLogsQuery, RequestLogFiltersQuery, RequestLogsQuery } from './dto/request-logs.query';
import { RequestLogStream } from './request-log.stream';
import type { LogDetail } from './request-log.views';
import { LogPage, LogStats, RequestLogsService, toFilters } from './request-logs.service';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { FairShareExempt } from '../common/fair-share/fair-share.decorator';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/logs')
export class RequestLogsController {
  constructor(
    private readonly logs: RequestLogsService,
    private readonly stream: RequestLogStream,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Requests, newest first, filtered; secrets are masked before a row is written' })
  list(@Query() query: RequestLogsQuery): Promise<LogPage> {
    return this.logs.list(query);
  }

  @Get('stream')
  @FairShareExempt()
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'New requests as Server-Sent Events (`event: log`), with the filters of the list' })
  async live(@Query() query: RequestLogFiltersQuery, @Res() res: Response): Promise<void> {
    await this.stream.serve(res, toFilters(query));
  }

  @Get('stats')
  @ApiOperation({ summary: 'Rows stored, rows waiting in this instance, rows it dropped, the oldest request' })
  stats(): Promise<LogStats> {
    return this.logs.stats();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One request in full: headers and bodies as stored (redacted)' })
  find(@Param('id') id: string): Promise<LogDetail> {
    return this.logs.find(id);
  }

  @Delete()
  @ApiOperation({ summary: 'Delete every request, or those before `before`' })
  delete(@Query() query: DeleteRequestLogsQuery): Promise<{ deleted: number }> {
    return this.logs.delete(query.before ? new Date(query.before) : undefined);
  }
}
