import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { scimContext } from './scim-context';
import { ScimExceptionFilter } from './scim-exception.filter';
import {
  listResponse,
  requestedProjection,
  scimRoutes,
  searchRequest,
  sendJson,
  sendResource,
  sendResourceUnlessCurrent,
} from './scim-http';
import { parseListQuery, parseProjection } from './scim-list-query';
import { Projection } from './scim-projection';
import { ScimGroupsService } from './scim-groups.service';

type QueryString = Record<string, unknown>;

@ApiExcludeController()
@Controller(scimRoutes('Groups'))
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
export class ScimGroupsController {
  constructor(
    private readonly groups: ScimGroupsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(@Req() req: AuthenticatedRequest, @Query() query: QueryString, @Res() res: Response): Promise<void> {
    const parsed = parseListQuery(query);
    sendJson(res, 200, listResponse(parsed, await this.groups.list(this.context(req), parsed)));
  }

  @Post('.search')
  async search(@Req() req: AuthenticatedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const parsed = parseListQuery(searchRequest(body));
    sendJson(res, 200, listResponse(parsed, await this.groups.list(this.context(req), parsed)));
  }

  @Post()
  async create(@Req() req: AuthenticatedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    sendResource(res, 201, await this.groups.create(this.context(req), body));
  }

  @Get(':id')
  async get(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Query() query: QueryString,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const { attributes, excludedAttributes } = parseProjection(query);
    const document = await this.groups.get(this.context(req), id, new Projection(attributes, excludedAttributes));
    sendResourceUnlessCurrent(res, document, ifNoneMatch);
  }

  @Put(':id')
  async replace(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    sendResource(res, 200, await this.groups.replace(this.context(req), id, body, ifMatch));
  }

  @Patch(':id')
  async patch(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: QueryString,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const projection = requestedProjection(query);
    const document = await this.groups.patch(this.context(req), id, body, projection, ifMatch);
    if (document) sendResource(res, 200, document);
    else res.status(204).end();
  }

  @Delete(':id')
  async delete(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.groups.delete(this.context(req), id, ifMatch);
    res.status(204).end();
  }

  private context(req: AuthenticatedRequest) {
    return scimContext(req, this.config.publicBaseUrl);
  }
}
