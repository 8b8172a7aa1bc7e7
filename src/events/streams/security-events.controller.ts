import { Body, Controller, Get, Header, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { TenantPrincipal } from '../../auth/principal';
import { ProvisioningAuthGuard } from '../../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../../auth/roles.decorator';
import { FairShareExempt } from '../../common/fair-share/fair-share.decorator';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { PollRequestDto } from './dto/event-stream.dto';
import { EventPollService, PollAnswer } from './event-poll.service';
import { GET_EVENT_JWKS, JWKS_CONTROLLER, POLL_CONTROLLER, POLL_EVENT_STREAM } from './event-streams.openapi';
import { EventStreamsService } from './event-streams.service';

/** The keys that verify a tenant's SETs (public: a receiver needs no credential to verify). */
@OpenApiController(JWKS_CONTROLLER)
@Controller('api/events')
export class EventJwksController {
  constructor(private readonly streams: EventStreamsService) {}

  @Get(':tenantId/jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @OpenApiOperation(GET_EVENT_JWKS)
  jwks(@Param('tenantId') tenantId: string): Promise<{ keys: Array<Record<string, unknown>> }> {
    return this.streams.jwks(tenantId);
  }
}

/** RFC 8936 poll delivery, for the receiver of a poll stream. */
@OpenApiController(POLL_CONTROLLER)
@UseGuards(ProvisioningAuthGuard)
@RequireRoles('PROVISIONING_SEARCH')
@Controller('api/events/streams')
export class EventPollController {
  constructor(private readonly polls: EventPollService) {}

  @Post(':streamId/poll')
  @HttpCode(200)
  // A long poll mostly waits: it must not hold one of its tenant's request slots meanwhile.
  @FairShareExempt()
  @OpenApiOperation(POLL_EVENT_STREAM)
  poll(
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: TenantPrincipal,
    @Param('streamId') streamId: string,
    @Body() body: PollRequestDto,
  ): Promise<PollAnswer> {
    // The response closes early only when the client goes away (the request's own 'close' comes once its body is read).
    let closed = false;
    res.once('close', () => (closed = true));
    return this.polls.poll(principal.tenantId, streamId, body, { closed: () => closed });
  }
}
