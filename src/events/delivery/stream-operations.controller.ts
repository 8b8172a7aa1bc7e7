import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant } from '../../auth/admin-scope';
import type { AuthenticatedRequest } from '../../auth/principal';
import type { AdminPage } from '../../common/admin-page';
import { RateLimit, RateLimitGuard } from '../../common/rate-limit';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { DeadLettersQuery, ReplayStreamDto } from './dto/stream-operations.dto';
import {
  LIST_DEAD_LETTERS,
  PAUSE_EVENT_STREAM,
  REPLAY_EVENT_STREAM,
  RESUME_EVENT_STREAM,
  STREAM_OPERATIONS_CONTROLLER,
} from './stream-operations.openapi';
import { DeadLetterView, StreamDeliveryView, StreamOperationsService } from './stream-operations.service';

/** Pause, resume, replay and dead letters of a tenant's event stream (ADMIN, or that tenant's TENANT_ADMIN). */
@OpenApiController(STREAM_OPERATIONS_CONTROLLER)
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId/event-streams/:streamId')
export class StreamOperationsController {
  constructor(private readonly operations: StreamOperationsService) {}

  @Post('pause')
  @HttpCode(200)
  @OpenApiOperation(PAUSE_EVENT_STREAM)
  pause(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
  ): Promise<StreamDeliveryView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.operations.pause(tenantId, streamId);
  }

  @Post('resume')
  @HttpCode(200)
  @OpenApiOperation(RESUME_EVENT_STREAM)
  resume(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
  ): Promise<StreamDeliveryView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.operations.resume(tenantId, streamId);
  }

  @Post('replay')
  @HttpCode(200)
  @OpenApiOperation(REPLAY_EVENT_STREAM)
  replay(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
    @Body() body: ReplayStreamDto,
  ): Promise<StreamDeliveryView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.operations.replay(tenantId, streamId, body.after);
  }

  @Get('dead-letters')
  @OpenApiOperation(LIST_DEAD_LETTERS)
  deadLetters(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
    @Query() query: DeadLettersQuery,
  ): Promise<AdminPage<DeadLetterView>> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.operations.deadLetters(tenantId, streamId, query);
  }
}
