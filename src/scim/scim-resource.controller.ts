import { Body, Delete, Get, Headers, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { OpenApiOperation } from '../openapi/openapi.decorators';
import { ScimDocument } from './schemas';
import { scimContext } from './scim-context';
import {
  listResponse,
  requestedProjection,
  searchRequest,
  sendJson,
  sendResource,
  sendResourceUnlessCurrent,
} from './scim-http';
import { ListQuery, parseListQuery, parseProjection } from './scim-list-query';
import { Projection } from './scim-projection';
import type { ListResult, ScimContext } from './scim-resources.base';
import {
  SCIM_CREATE,
  SCIM_DELETE,
  SCIM_GET,
  SCIM_LIST,
  SCIM_PATCH,
  SCIM_REPLACE,
  SCIM_SEARCH,
  ScimResourceDoc,
} from './scim.openapi';

type QueryString = Record<string, unknown>;

/** What a SCIM resource type offers; ScimUsersService and ScimGroupsService both do. */
export interface ScimResourceService {
  list(context: ScimContext, query: ListQuery): Promise<ListResult>;
  get(context: ScimContext, id: string, projection: Projection): Promise<ScimDocument>;
  create(context: ScimContext, body: unknown): Promise<ScimDocument>;
  replace(context: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimDocument>;
  patch(
    context: ScimContext,
    id: string,
    body: unknown,
    projection: Projection | undefined,
    ifMatch?: string,
  ): Promise<ScimDocument | undefined>;
  delete(context: ScimContext, id: string, ifMatch?: string): Promise<void>;
}

/**
 * The routes every SCIM resource type serves (RFC 7644 §3), mounted by one subclass per type.
 * Guard and error mapping are the subclasses' decorators, next to their paths; each subclass hands
 * its resource type to the operation docs as the controller's OpenAPI `context`.
 */
export abstract class ScimResourceController {
  constructor(
    private readonly resources: ScimResourceService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @OpenApiOperation<ScimResourceDoc>(SCIM_LIST)
  async list(@Req() req: AuthenticatedRequest, @Query() query: QueryString, @Res() res: Response): Promise<void> {
    const parsed = parseListQuery(query);
    sendJson(res, 200, listResponse(parsed, await this.resources.list(this.context(req), parsed)));
  }

  @Post('.search')
  @OpenApiOperation<ScimResourceDoc>(SCIM_SEARCH)
  async search(@Req() req: AuthenticatedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const parsed = parseListQuery(searchRequest(body));
    sendJson(res, 200, listResponse(parsed, await this.resources.list(this.context(req), parsed)));
  }

  @Post()
  @OpenApiOperation<ScimResourceDoc>(SCIM_CREATE)
  async create(@Req() req: AuthenticatedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    sendResource(res, 201, await this.resources.create(this.context(req), body));
  }

  @Get(':id')
  @OpenApiOperation<ScimResourceDoc>(SCIM_GET)
  async get(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Query() query: QueryString,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const { attributes, excludedAttributes } = parseProjection(query);
    const document = await this.resources.get(this.context(req), id, new Projection(attributes, excludedAttributes));
    sendResourceUnlessCurrent(res, document, ifNoneMatch);
  }

  @Put(':id')
  @OpenApiOperation<ScimResourceDoc>(SCIM_REPLACE)
  async replace(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    sendResource(res, 200, await this.resources.replace(this.context(req), id, body, ifMatch));
  }

  @Patch(':id')
  @OpenApiOperation<ScimResourceDoc>(SCIM_PATCH)
  async patch(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: QueryString,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const projection = requestedProjection(query);
    const document = await this.resources.patch(this.context(req), id, body, projection, ifMatch);
    if (document) sendResource(res, 200, document);
    else res.status(204).end();
  }

  @Delete(':id')
  @OpenApiOperation<ScimResourceDoc>(SCIM_DELETE)
  async delete(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.resources.delete(this.context(req), id, ifMatch);
    res.status(204).end();
  }

  private context(req: AuthenticatedRequest) {
    return scimContext(req, this.config.publicBaseUrl);
  }
}
