import { Controller, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ScimExceptionFilter } from './scim-exception.filter';
import { SCIM_ID_SUFFIXES, scimRoutes } from './scim-http';
import { ScimResourceController } from './scim-resource.controller';
import { ScimUsersService } from './scim-users.service';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';
import { SECURITY } from '../openapi/components';
import { OpenApiController } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { SCIM_USERS_DOC, SCIM_ERRORS, SCIM_TENANT_PARAMETER, ScimResourceDoc } from './scim.openapi';

@OpenApiController<ScimResourceDoc>({
  tag: TAGS.scimUsers.name,
  door: 'scim',
  errors: SCIM_ERRORS,
  security: SECURITY.scim,
  idSuffixes: SCIM_ID_SUFFIXES,
  parameters: [SCIM_TENANT_PARAMETER],
  context: SCIM_USERS_DOC,
})
@Controller(scimRoutes('Users'))
@UseGuards(ScimAuthGuard, RateLimitGuard)
@RateLimit('scim')
@UseFilters(ScimExceptionFilter)
export class ScimUsersController extends ScimResourceController {
  constructor(users: ScimUsersService, @Inject(APP_CONFIG) config: AppConfig) {
    super(users, config);
  }
}
