import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope } from '../auth/admin-scope';
import { CredentialsService } from '../auth/credentials.service';
import { AuthenticatedRequest } from '../auth/principal';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { TenantsService } from '../directory/tenants.service';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { adminController, GET_ME } from './admin.openapi';

/** Who is signed in: the operator page shows only what this credential may see. */
export interface MeView {
  credentialId: string;
  name: string;
  kind: string;
  roles: string[];
  scope: 'all' | 'tenant';
  tenantId: string | null;
  tenantName: string | null;
}

@OpenApiController(adminController(TAGS.credentials.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/me')
export class MeController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tenants: TenantsService,
  ) {}

  @Get()
  @OpenApiOperation(GET_ME)
  async me(@Req() req: AuthenticatedRequest): Promise<MeView> {
    const principal = req.principal!;
    const scope = adminScope(req);
    const credential = await this.credentials.findActive(principal.credentialId);
    const tenant = scope.kind === 'tenant' ? await this.tenants.find(scope.tenantId) : null;
    return {
      credentialId: principal.credentialId,
      name: credential?.name ?? principal.credentialId,
      kind: principal.kind,
      roles: principal.roles,
      scope: scope.kind,
      tenantId: tenant?.id ?? null,
      tenantName: tenant?.name ?? null,
    };
  }
}
