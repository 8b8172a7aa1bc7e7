import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { parseSyncRequest } from './dto/partner-sync.dto';
import { CurrentPartner, PartnerAuthGuard, PartnerCaller } from './partner-auth.guard';
import { SYNC_PARTNER_USERS } from './partner-sync.openapi';
import { SyncAnswer } from './partner-sync.rules';
import { PartnerSyncService } from './partner-sync.service';

/**
 * Seed 002's endpoint. It lives under /api/admin but is the partner's door: the partner JWT
 * authenticates it, never the admin guard. The body is read as `unknown` so a bad envelope
 * answers seed 002's 400 and a bad user fails alone instead of refusing the request.
 */
@OpenApiController({
  tag: TAGS.partnerSync.name,
  door: 'partner',
  errors: [400, 401, 403, 413, 415, 429, 500, 503],
  security: SECURITY.partner,
})
@UseGuards(PartnerAuthGuard)
@Controller('api/admin/users')
export class PartnerSyncController {
  constructor(private readonly partnerSync: PartnerSyncService) {}

  @Post('sync')
  @HttpCode(200)
  @OpenApiOperation(SYNC_PARTNER_USERS)
  sync(@CurrentPartner() partner: PartnerCaller, @Body() body: unknown): Promise<SyncAnswer> {
    return this.partnerSync.sync(partner.tenantId, parseSyncRequest(body));
  }
}
