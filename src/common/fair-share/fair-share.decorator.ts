import { SetMetadata } from '@nestjs/common';

export const FAIR_SHARE_EXEMPT = 'idp:fairShareExempt';

/**
 * For routes that mostly wait rather than work (a commit with `?wait=true` holds its answer up to
 * a minute while a job runs; a Server-Sent Events stream stays open): they would hold a tenant's
 * slot without using the database, and starve the tenant's own requests behind them.
 */
export const FairShareExempt = (): MethodDecorator & ClassDecorator => SetMetadata(FAIR_SHARE_EXEMPT, true);
