import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MEDIA_JSON, SECURITY } from './components';
import { OpenApiController, OpenApiOperation } from './openapi.decorators';
import type { OpenApiDocument } from './openapi.types';
import { TAGS } from './tags';

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

/**
 * The document itself, as integrators and code generators fetch it. Public, but the body parser
 * runs before every route: a NUL in the URL or a header (400), a body over BODY_LIMIT (413) or in an
 * unsupported charset (415) is refused here too.
 */
@OpenApiController({
  tag: TAGS.service.name,
  door: 'provisioning',
  errors: [400, 413, 415, 500],
  security: SECURITY.public,
})
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
        content: {
          [MEDIA_JSON]: {
            schema: {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: {
                openapi: { type: 'string', const: '3.1.0', description: 'The OpenAPI version.' },
                info: { type: 'object', description: 'Title, version and description of the API.' },
                paths: { type: 'object', description: 'Every route, by path and method.' },
              },
            },
          },
        },
      },
    },
  })
  document(@Res() res: Response): void {
    res.status(200).type(MEDIA_JSON).setHeader('Cache-Control', 'no-cache').send(this.body);
  }
}
