import { Controller, Get, Inject, Param, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RESOURCE_TYPES, SCHEMAS, serviceProviderConfig, URN_LIST_RESPONSE } from './schemas';
import { scimContext } from './scim-context';
import { ScimExceptionFilter } from './scim-exception.filter';
import { SCIM_ID_SUFFIXES, SCIM_ROOTS, sendJson } from './scim-http';
import { ScimError } from './scim.errors';
import { bulkLimits } from './scim-limits';
import { SCIM_EVENT_URIS } from '../events/sets/set-token';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import {
  SCIM_ERRORS,
  SCIM_GET_RESOURCE_TYPE,
  SCIM_GET_SCHEMA,
  SCIM_LIST_RESOURCE_TYPES,
  SCIM_LIST_SCHEMAS,
  SCIM_SERVICE_PROVIDER_CONFIG,
  SCIM_TENANT_PARAMETER,
} from './scim.openapi';

const list = (resources: unknown[]) => ({
  schemas: [URN_LIST_RESPONSE],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

/** RFC 7644 §4 discovery: what this service provider supports. Authenticated like every SCIM route. */
@OpenApiController({
  tag: TAGS.scimDiscovery.name,
  door: 'scim',
  errors: SCIM_ERRORS,
  security: SECURITY.scim,
  idSuffixes: SCIM_ID_SUFFIXES,
  parameters: [SCIM_TENANT_PARAMETER],
})
@Controller(SCIM_ROOTS)
@UseGuards(ScimAuthGuard, RateLimitGuard)
@RateLimit('scim')
@UseFilters(ScimExceptionFilter)
export class ScimDiscoveryController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get(['ServiceProviderConfig', 'serviceConfiguration'])
  @OpenApiOperation(SCIM_SERVICE_PROVIDER_CONFIG)
  serviceProviderConfig(@Req() req: AuthenticatedRequest, @Res() res: Response): void {
    const base = this.base(req);
    sendJson(res, 200, {
      ...serviceProviderConfig({ bulk: bulkLimits(this.config), eventUris: SCIM_EVENT_URIS }),
      meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
    });
  }

  @Get('ResourceTypes')
  @OpenApiOperation(SCIM_LIST_RESOURCE_TYPES)
  resourceTypes(@Req() req: AuthenticatedRequest, @Res() res: Response): void {
    sendJson(res, 200, list(RESOURCE_TYPES.map((type) => this.withMeta(req, 'ResourceType', 'ResourceTypes', type))));
  }

  @Get('ResourceTypes/:id')
  @OpenApiOperation(SCIM_GET_RESOURCE_TYPE)
  resourceType(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Res() res: Response): void {
    const type = RESOURCE_TYPES.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
    if (!type) throw ScimError.notFound(`Resource type not found: ${id}`);
    sendJson(res, 200, this.withMeta(req, 'ResourceType', 'ResourceTypes', type));
  }

  @Get('Schemas')
  @OpenApiOperation(SCIM_LIST_SCHEMAS)
  schemas(@Req() req: AuthenticatedRequest, @Res() res: Response): void {
    sendJson(res, 200, list(SCHEMAS.map((schema) => this.withMeta(req, 'Schema', 'Schemas', schema))));
  }

  @Get('Schemas/:id')
  @OpenApiOperation(SCIM_GET_SCHEMA)
  schema(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Res() res: Response): void {
    const schema = SCHEMAS.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw ScimError.notFound(`Schema not found: ${id}`);
    sendJson(res, 200, this.withMeta(req, 'Schema', 'Schemas', schema));
  }

  private withMeta<T extends { id: string }>(
    req: AuthenticatedRequest,
    resourceType: string,
    collection: string,
    resource: T,
  ) {
    return { ...resource, meta: { resourceType, location: `${this.base(req)}/${collection}/${resource.id}` } };
  }

  /** The SCIM root of the request (everything before the discovery resource's name). */
  private base(req: AuthenticatedRequest): string {
    const { base } = scimContext(req, this.config.publicBaseUrl);
    return base.replace(/\/(ServiceProviderConfig|serviceConfiguration|ResourceTypes|Schemas)(\/.*)?$/i, '');
  }
}
