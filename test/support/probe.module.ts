import { Body, Controller, Get, Module, Post, UseGuards } from '@nestjs/common';
import { AuthModule } from '../../src/auth/auth.module';
import { ProvisioningAuthGuard } from '../../src/auth/provisioning-auth.guard';
import type { Principal } from '../../src/auth/principal';
import { CurrentPrincipal, RequireRoles } from '../../src/auth/roles.decorator';
import { ScimAuthGuard } from '../../src/auth/scim-auth.guard';

const who = (principal: Principal): Record<string, unknown> => ({
  tenantId: principal.tenantId,
  kind: principal.kind,
  via: principal.via,
});

/** Routes that exist only in tests: each guard behind a trivial handler, and failure probes. */
@Controller()
class ProbeController {
  @Get('api/provisioning/iam/_probe')
  @UseGuards(ProvisioningAuthGuard)
  @RequireRoles('PROVISIONING_SEARCH')
  search(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return who(principal);
  }

  @Post('api/provisioning/iam/_probe')
  @UseGuards(ProvisioningAuthGuard)
  @RequireRoles('PROVISIONING_UPDATE')
  update(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return who(principal);
  }

  @Get('scim/v2/_probe')
  @UseGuards(ScimAuthGuard)
  scim(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return who(principal);
  }

  @Get('scim/endpoints/:tenantId/_probe')
  @UseGuards(ScimAuthGuard)
  scopedScim(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return who(principal);
  }

  @Post('api/_probe/echo')
  echo(@Body() body: unknown): unknown {
    return { received: body };
  }

  @Get('api/_probe/boom')
  boom(): never {
    throw new Error('internal detail: password=hunter2 at /srv/app/secret.ts');
  }

  @Get('api/_probe/database-down')
  databaseDown(): never {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
}

@Module({ imports: [AuthModule], controllers: [ProbeController] })
export class ProbeModule {}
