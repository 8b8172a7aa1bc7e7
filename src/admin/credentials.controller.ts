import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { adminScope, requireAllTenants, requireVisibleTenant } from '../auth/admin-scope';
import { CredentialsService } from '../auth/credentials.service';
import { CredentialDoor, CredentialEntity } from '../auth/entities/credential.entity';
import type { AuthenticatedRequest } from '../auth/principal';
import { TransactionRunner } from '../database/transaction-runner';
import { TenantsService } from '../directory/tenants.service';
import { CreateCredentialDto, CreateOperatorCredentialDto } from './dto/credential.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import {
  adminController,
  ISSUE_CREDENTIAL,
  ISSUE_OPERATOR_CREDENTIAL,
  LIST_CREDENTIALS,
  LIST_OPERATOR_CREDENTIALS,
  REVOKE_CREDENTIAL,
  REVOKE_OPERATOR_CREDENTIAL,
} from './admin.openapi';

export interface CredentialView {
  id: string;
  /** Null for operator credentials. */
  tenantId: string | null;
  kind: string;
  name: string;
  roles: string[];
  clientId: string | null;
  bootstrap: boolean;
  createdOn: string;
  revokedOn: string | null;
  lastUsedAt: string | null;
  lastUsedDoor: CredentialDoor | null;
}

type IssuedView = CredentialView & { secret: string };

/**
 * A tenant's credentials. An ADMIN manages every kind but ADMIN (issued outside tenants); a TENANT_ADMIN
 * manages only its own tenant's non-administering credentials: the administering ones answer 404 to it.
 */
@OpenApiController(adminController(TAGS.credentials.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/tenants/:tenantId/credentials')
export class CredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tenants: TenantsService,
    private readonly transactions: TransactionRunner,
  ) {}

  @Post()
  @OpenApiOperation(ISSUE_CREDENTIAL)
  async create(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Body() body: CreateCredentialDto,
  ): Promise<IssuedView> {
    const scope = adminScope(req);
    requireVisibleTenant(scope, tenantId);
    await this.tenants.find(tenantId);
    if (body.roles?.includes('TENANT_ADMIN') || (body.kind === 'ADMIN_TOKEN' && !body.roles?.length)) {
      requireAllTenants(scope);
    }
    const issued = await this.transactions.run((em) => this.credentials.issue(em, tenantId, body));
    return issuedView(issued);
  }

  @Get()
  @OpenApiOperation(LIST_CREDENTIALS)
  async list(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
  ): Promise<{ items: CredentialView[]; total: number }> {
    const scope = adminScope(req);
    requireVisibleTenant(scope, tenantId);
    await this.tenants.find(tenantId);
    const items = (await this.credentials.list(tenantId, scope.kind === 'all')).map(toCredentialView);
    return { items, total: items.length };
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @OpenApiOperation(REVOKE_CREDENTIAL)
  async revoke(
    @Req() req: AuthenticatedRequest,
    @Param('tenantId') tenantId: string,
    @Param('credentialId') credentialId: string,
  ): Promise<void> {
    const scope = adminScope(req);
    requireVisibleTenant(scope, tenantId);
    await this.credentials.revoke(tenantId, credentialId, scope.kind === 'all');
  }
}

/** Operator credentials: ADMIN, outside any tenant. Only an ADMIN sees or manages them. */
@OpenApiController(adminController(TAGS.credentials.name))
@UseGuards(AdminAuthGuard, RateLimitGuard)
@RateLimit('admin')
@Controller('api/admin/credentials')
export class OperatorCredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly transactions: TransactionRunner,
  ) {}

  @Get()
  @OpenApiOperation(LIST_OPERATOR_CREDENTIALS)
  async list(@Req() req: AuthenticatedRequest): Promise<{ items: CredentialView[]; total: number }> {
    requireAllTenants(adminScope(req));
    const items = (await this.credentials.list(null)).map(toCredentialView);
    return { items, total: items.length };
  }

  @Post()
  @OpenApiOperation(ISSUE_OPERATOR_CREDENTIAL)
  async create(@Req() req: AuthenticatedRequest, @Body() body: CreateOperatorCredentialDto): Promise<IssuedView> {
    requireAllTenants(adminScope(req));
    const issued = await this.transactions.run((em) => this.credentials.issue(em, null, body));
    return issuedView(issued);
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @OpenApiOperation(REVOKE_OPERATOR_CREDENTIAL)
  async revoke(@Req() req: AuthenticatedRequest, @Param('credentialId') credentialId: string): Promise<void> {
    requireAllTenants(adminScope(req));
    await this.credentials.revoke(null, credentialId);
  }
}

function issuedView(issued: { credential: CredentialEntity; secret: string }): IssuedView {
  return { ...toCredentialView(issued.credential), secret: issued.secret };
}

export function toCredentialView(credential: CredentialEntity): CredentialView {
  return {
    id: credential.id,
    tenantId: credential.tenantId,
    kind: credential.kind,
    name: credential.name,
    roles: credential.roles,
    clientId: credential.clientId,
    bootstrap: credential.bootstrap,
    createdOn: credential.createdOn.toISOString(),
    revokedOn: credential.revokedOn ? credential.revokedOn.toISOString() : null,
    lastUsedAt: credential.lastUsedAt ? credential.lastUsedAt.toISOString() : null,
    lastUsedDoor: credential.lastUsedDoor,
  };
}
