import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, requireVisibleTenant } from '../auth/admin-scope';
import { AuthenticatedRequest } from '../auth/principal';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { TenantsService } from '../directory/tenants.service';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { isValidHost } from '../scim/scim-context';
import { adminController } from '../admin/admin.openapi';
import { GET_IDP_SETUP, TEST_IDP_CONNECTION } from './console.openapi';
import { IdpTestDto } from './dto/idp-test.dto';
import { IdpSetupService, IdpSetupView, IdpTestResult } from './idp-setup.service';

/** Connecting Entra ID or Okta to a tenant: the values to enter, and a test of the credential. */
@OpenApiController(adminController(TAGS.identityProviders.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId/identity-providers')
export class IdpSetupController {
  constructor(
    private readonly setup: IdpSetupService,
    private readonly tenants: TenantsService,
  ) {}

  @Get()
  @OpenApiOperation(GET_IDP_SETUP)
  async get(@Req() req: AuthenticatedRequest, @Param('tenantId') tenantId: string): Promise<IdpSetupView> {
    await this.visibleTenant(req, tenantId);
    // Express believes X-Forwarded-Proto/-Host only from the proxies TRUST_PROXY names.
    const host = req.host && isValidHost(req.host) ? req.host : 'localhost';
    return this.setup.setup(tenantId, `${req.protocol}://${host}`);
  }

  @Post('test')
  @HttpCode(200)
  @OpenApiOperation(TEST_IDP_CONNECTION)
  async test(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Body() body: IdpTestDto,
  ): Promise<IdpTestResult> {
    await this.visibleTenant(req, tenantId);
    // The calls go to this very process, on the address and port this request came in on.
    return this.setup.test(tenantId, body, {
      address: req.socket.localAddress ?? '127.0.0.1',
      port: req.socket.localPort ?? 0,
    });
  }

  /** 404 for a tenant that does not exist, and alike for one a TENANT_ADMIN does not administer. */
  private async visibleTenant(req: AuthenticatedRequest, tenantId: string): Promise<void> {
    requireVisibleTenant(adminScope(req), tenantId);
    await this.tenants.find(tenantId);
  }
}
