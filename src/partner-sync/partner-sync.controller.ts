import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PartnerSyncRequestDto, parseSyncRequest } from './dto/partner-sync.dto';
import { CurrentPartner, PartnerAuthGuard, PartnerCaller } from './partner-auth.guard';
import { SyncAnswer } from './partner-sync.rules';
import { PartnerSyncService } from './partner-sync.service';

/**
 * Seed 002's endpoint. It lives under /api/admin but is the partner's door: the partner JWT
 * authenticates it, never the admin guard. The body is read as `unknown` so a bad envelope
 * answers seed 002's 400 and a bad user fails alone instead of refusing the request.
 */
@ApiTags('partner sync')
@ApiBearerAuth()
@UseGuards(PartnerAuthGuard)
@Controller('api/admin/users')
export class PartnerSyncController {
  constructor(private readonly partnerSync: PartnerSyncService) {}

  @Post('sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Upsert or fully reconcile the tenant’s partner users (seed 002)' })
  @ApiBody({ type: PartnerSyncRequestDto })
  sync(@CurrentPartner() partner: PartnerCaller, @Body() body: unknown): Promise<SyncAnswer> {
    return this.partnerSync.sync(partner.tenantId, parseSyncRequest(body));
  }
}
