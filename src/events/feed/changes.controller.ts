import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { TenantPrincipal } from '../../auth/principal';
import { ProvisioningAuthGuard } from '../../auth/provisioning-auth.guard';
import { CurrentPrincipal, RequireRoles } from '../../auth/roles.decorator';
import { FairShareExempt } from '../../common/fair-share/fair-share.decorator';
import { RateLimit, RateLimitGuard } from '../../common/rate-limit';
import { SECURITY } from '../../openapi/components';
import { OpenApiController, OpenApiOperation } from '../../openapi/openapi.decorators';
import { TAGS } from '../../openapi/tags';
import { PROVISIONING_ERRORS } from '../../provisioning/provisioning.openapi';
import type { ChangesPageView } from './change-view';
import { ChangesService } from './changes.service';
import { parseFeedQuery } from './feed-query';
import { LIST_CHANGES } from './feed.openapi';

/** `GET /api/provisioning/iam/changes`: the tenant of the credential, its changes after a seq. */
@OpenApiController({
  tag: TAGS.changes.name,
  door: 'provisioning',
  errors: PROVISIONING_ERRORS,
  security: SECURITY.provisioning,
})
@UseGuards(ProvisioningAuthGuard, RateLimitGuard)
@RequireRoles('PROVISIONING_SEARCH')
@Controller('api/provisioning/iam')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Get('changes')
  @RateLimit('list')
  // A held request (wait > 0) mostly sleeps: it must not keep one of the tenant's fair-share slots.
  @FairShareExempt()
  @OpenApiOperation(LIST_CHANGES)
  list(
    @CurrentPrincipal() principal: TenantPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<ChangesPageView> {
    return this.changes.changes(principal.tenantId, parseFeedQuery(query));
  }
}
