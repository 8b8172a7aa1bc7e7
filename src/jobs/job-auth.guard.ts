import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ProvisioningAuthGuard } from '../auth/provisioning-auth.guard';

/**
 * The job endpoint serves two callers: integrations with their provisioning headers (their own
 * tenant's jobs) and operators with an admin bearer (every tenant's). The Authorization header
 * says which one is calling; each existing guard then does exactly what it does elsewhere.
 */
@Injectable()
export class JobAuthGuard implements CanActivate {
  constructor(
    private readonly provisioning: ProvisioningAuthGuard,
    private readonly admin: AdminAuthGuard,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    return req.header('authorization') ? this.admin.canActivate(context) : this.provisioning.canActivate(context);
  }
}
