import { AppModule } from '../app.module';
import { ADMIN_SCHEMAS } from '../admin/admin.openapi';
import { CONSOLE_SCHEMAS } from '../console/console.openapi';
import { OAUTH_SCHEMAS } from '../auth/oauth.openapi';
import { OVERVIEW_SCHEMAS } from '../console/overview.openapi';
import { loadConfig } from '../config/app-config';
import { FEED_SCHEMAS } from '../events/feed/feed.openapi';
import { HEALTH_SCHEMAS } from '../health/health.openapi';
import { JOBS_SCHEMAS } from '../jobs/jobs.openapi';
import { PARTNER_SYNC_SCHEMAS } from '../partner-sync/partner-sync.openapi';
import { PROVISIONING_SCHEMAS } from '../provisioning/provisioning.openapi';
import { REQUEST_LOG_SCHEMAS } from '../request-log/request-logs.openapi';
import { SCIM_SCHEMAS } from '../scim/scim.openapi';
import { OpenApiDocumentController } from './api-docs.controller';
import { buildOpenApiDocument, controllersOf } from './document.builder';
import type { OpenApiDocument } from './openapi.types';

/** The version of the API contract (not of the package): raised when the document changes incompatibly. */
export const API_VERSION = '1.0.0';

let built: OpenApiDocument | undefined;

/**
 * The document of everything the service serves, from its controllers and their decorators. The
 * same for every configuration: written to `openapi/openapi.json` by `npm run openapi`. Built once
 * per process and shared, so callers must not change it.
 */
export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument([...controllersOf(AppModule.forRoot(loadConfig({}))), OpenApiDocumentController], {
    version: API_VERSION,
    schemas: {
      ...SCIM_SCHEMAS,
      ...PROVISIONING_SCHEMAS,
      ...JOBS_SCHEMAS,
      ...PARTNER_SYNC_SCHEMAS,
      ...OAUTH_SCHEMAS,
      ...HEALTH_SCHEMAS,
      ...ADMIN_SCHEMAS,
      ...REQUEST_LOG_SCHEMAS,
      ...OVERVIEW_SCHEMAS,
      ...CONSOLE_SCHEMAS,
      ...FEED_SCHEMAS,
    },
  });
  return built;
}
