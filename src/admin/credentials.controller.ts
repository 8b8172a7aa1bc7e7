import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CredentialsService } from '../auth/credentials.service';
import { CredentialEntity } from '../auth/entities/credential.entity';
import { TransactionRunner } from '../database/transaction-runner';
import { TenantsService } from '../directory/tenants.service';
import { CreateCredentialDto } from './dto/credential.dto';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { adminController, ISSUE_CREDENTIAL, LIST_CREDENTIALS, REVOKE_CREDENTIAL } from './admin.openapi';

export interface CredentialView {
  id: string;
  tenantId: string;
  kind: string;
  name: string;
  roles: string[];
  clientId: string | null;
  bootstrap: boolean;
  createdOn: string;
  revokedOn: string | null;
}

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
    @Param('tenantId') tenantId: string,
    @Body() body: CreateCredentialDto,
  ): Promise<CredentialView & { secret: string }> {
    await this.tenants.find(tenantId);
    const issued = await this.transactions.run((em) => this.credentials.issue(em, tenantId, body));
    return { ...toView(issued.credential), secret: issued.secret };
  }

  @Get()
  @OpenApiOperation(LIST_CREDENTIALS)
  async list(@Param('tenantId') tenantId: string): Promise<{ items: CredentialView[]; total: number }> {
    await this.tenants.find(tenantId);
    const items = (await this.credentials.list(tenantId)).map(toView);
    return { items, total: items.length };
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @OpenApiOperation(REVOKE_CREDENTIAL)
  async revoke(@Param('tenantId') tenantId: string, @Param('credentialId') credentialId: string): Promise<void> {
    await this.credentials.revoke(tenantId, credentialId);
  }
}

function toView(credential: CredentialEntity): CredentialView {
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
  };
}
