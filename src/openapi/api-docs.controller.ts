import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MEDIA_JSON, SECURITY } from './components';
import { OpenApiController, OpenApiOperation } from './openapi.decorators';
import type { OpenApiDocument } from './openapi.types';
import { TAGS } from './tags';

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

/** The document itself, as integrators and code generators fetch it. */
@OpenApiController({ tag: TAGS.service.name, door: 'provisioning', errors: [500], security: SECURITY.public })
@Controller('api/docs')
export class OpenApiDocumentController {
  private readonly body: string;

  constructor(@Inject(OPENAPI_DOCUMENT) document: OpenApiDocument) {
    this.body = JSON.stringify(document);
  }

  @Get('openapi.json')
  @OpenApiOperation({
    id: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    description:
      'The OpenAPI 3.1 document of every route, as committed in `openapi/openapi.json`. Feed it to a code generator (`npx openapi-typescript`) to build a typed client.',
    responses: {
      '200': {
        description: 'The document.',
        content: { [MEDIA_JSON]: { schema: { type: 'object', required: ['openapi', 'info', 'paths'] } } },
      },
    },
  })
  document(@Res() res: Response): void {
    res.status(200).type(MEDIA_JSON).setHeader('Cache-Control', 'no-cache').send(this.body);
  }
}
