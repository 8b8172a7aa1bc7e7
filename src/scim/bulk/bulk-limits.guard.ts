import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { bulkLimits } from '../scim-limits';
import { ScimError } from '../scim.errors';
import { operationsOf } from './bulk-request';

/**
 * RFC 7644 §3.7.4: a bulk over `maxOperations` or `maxPayloadSize` is refused with 413 before
 * anything runs. Listed before RateLimitGuard, so a refused bulk draws no rate-limit unit.
 */
@Injectable()
export class BulkLimitsGuard implements CanActivate {
  private readonly limits: { maxOperations: number; maxPayloadSize: number };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limits = bulkLimits(config);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const bytes = payloadBytes(req);
    if (bytes > this.limits.maxPayloadSize) {
      throw new ScimError(
        413,
        undefined,
        `The bulk request is ${bytes} bytes; maxPayloadSize is ${this.limits.maxPayloadSize} bytes (see /ServiceProviderConfig)`,
      );
    }
    const count = operationsOf(req.body)?.length ?? 0;
    if (count > this.limits.maxOperations) {
      throw new ScimError(
        413,
        undefined,
        `The bulk request has ${count} operations; maxOperations is ${this.limits.maxOperations} (see /ServiceProviderConfig)`,
      );
    }
    return true;
  }
}

/** The body's size as sent (Content-Length), or as its JSON when the body came chunked. */
function payloadBytes(req: Request): number {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared >= 0 && req.headers['content-length'] !== undefined) return declared;
  return Buffer.byteLength(JSON.stringify(req.body ?? null) ?? '', 'utf8');
}
