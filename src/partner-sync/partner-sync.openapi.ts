import type { JsonSchema } from '../openapi/openapi.types';

/** Component schemas this module's operations refer to. */
export const PARTNER_SYNC_SCHEMAS: Record<string, JsonSchema> = {};
