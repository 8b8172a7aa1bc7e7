import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant } from '../../auth/admin-scope';
import type { AuthenticatedRequest } from '../../auth/principal';
import { RateLimit, RateLimitGuard } from '../../common/rate-limit';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { CreateEventStreamDto, UpdateEventStreamDto } from './dto/event-stream.dto';
import { EventStreamView, toEventStreamView } from './event-stream.view';
import {
  CREATE_EVENT_STREAM,
  DELETE_EVENT_STREAM,
  EVENT_STREAMS_CONTROLLER,
  GET_EVENT_STREAM,
  LIST_EVENT_STREAMS,
  ROTATE_EVENT_STREAM_KEY,
  UPDATE_EVENT_STREAM,
} from './event-streams.openapi';
import { EventStreamsService, StreamWithState } from './event-streams.service';

/** A tenant's event streams, for operators (ADMIN, or that tenant's TENANT_ADMIN). */
@OpenApiController(EVENT_STREAMS_CONTROLLER)
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId/event-streams')
export class EventStreamsController {
  constructor(
    private readonly streams: EventStreamsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @OpenApiOperation(CREATE_EVENT_STREAM)
  async create(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Body() body: CreateEventStreamDto,
  ): Promise<EventStreamView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.view(req, await this.streams.create(tenantId, body));
  }

  @Get()
  @OpenApiOperation(LIST_EVENT_STREAMS)
  async list(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
  ): Promise<{ items: EventStreamView[]; total: number }> {
    requireVisibleTenant(adminScope(req), tenantId);
    const items = (await this.streams.list(tenantId)).map((stream) => this.view(req, stream));
    return { items, total: items.length };
  }

  @Get(':streamId')
  @OpenApiOperation(GET_EVENT_STREAM)
  async get(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
  ): Promise<EventStreamView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.view(req, await this.streams.get(tenantId, streamId));
  }

  @Patch(':streamId')
  @OpenApiOperation(UPDATE_EVENT_STREAM)
  async update(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
    @Body() body: UpdateEventStreamDto,
  ): Promise<EventStreamView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.view(req, await this.streams.update(tenantId, streamId, body));
  }

  @Delete(':streamId')
  @HttpCode(204)
  @OpenApiOperation(DELETE_EVENT_STREAM)
  async remove(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
  ): Promise<void> {
    requireVisibleTenant(adminScope(req), tenantId);
    await this.streams.remove(tenantId, streamId);
  }

  @Post(':streamId/signing-key')
  @OpenApiOperation(ROTATE_EVENT_STREAM_KEY)
  async rotate(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('streamId') streamId: string,
  ): Promise<EventStreamView> {
    requireVisibleTenant(adminScope(req), tenantId);
    return this.view(req, await this.streams.rotateKey(tenantId, streamId));
  }

  private view(req: AuthenticatedRequest, { stream, state }: StreamWithState): EventStreamView {
    return toEventStreamView(stream, state, requestOrigin(req, this.config.publicBaseUrl));
  }
}

/** PUBLIC_BASE_URL, or the origin the request came to (TRUST_PROXY decides whose forwarded headers count). */
export function requestOrigin(req: AuthenticatedRequest, publicBaseUrl: string | undefined): string {
  return publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
