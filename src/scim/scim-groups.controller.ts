import { Controller, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ScimExceptionFilter } from './scim-exception.filter';
import { scimRoutes } from './scim-http';
import { ScimResourceController } from './scim-resource.controller';
import { ScimGroupsService } from './scim-groups.service';
import { RateLimit, RateLimitGuard } from '../common/rate-limit';

@ApiExcludeController()
@Controller(scimRoutes('Groups'))
@UseGuards(ScimAuthGuard, RateLimitGuard)
@RateLimit('scim')
@UseFilters(ScimExceptionFilter)
export class ScimGroupsController extends ScimResourceController {
  constructor(groups: ScimGroupsService, @Inject(APP_CONFIG) config: AppConfig) {
    super(groups, config);
  }
}
