import type { JsonSchema } from '../openapi/openapi.types';

/** Component schemas this module's operations refer to. */
export const JOBS_SCHEMAS: Record<string, JsonSchema> = {};
