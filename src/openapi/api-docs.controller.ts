import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MEDIA_JSON, SECURITY } from './components';
import { OpenApiController, OpenApiOperation } from './openapi.decorators';
import type { OpenApiDocument } from './openapi.types';
import { TAGS } from './tags';

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

/** Express's ETag of a sent body: weak, a quoted string. */
const ETAG = { type: 'string', pattern: '^W/".+"$' } as const;

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
    parameters: [
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: 'The `ETag` of a copy already held: when it is still current, the answer is 304 without a body.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '200': {
        description: 'The document.',
        headers: {
          ETag: {
            description: 'A weak validator of this document, for `If-None-Match`.',
            required: true,
            schema: ETAG,
          },
          'Cache-Control': {
            description: '`no-cache`: revalidate before reusing a stored copy.',
            required: true,
            schema: { type: 'string', const: 'no-cache' },
          },
        },
        content: {
          [MEDIA_JSON]: {
            schema: {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: {
                openapi: { type: 'string', const: '3.1.0', description: 'The OpenAPI version.' },
                info: {
                  type: 'object',
                  additionalProperties: true,
                  description: 'Title, version and description of the API.',
                },
                paths: { type: 'object', additionalProperties: true, description: 'Every route, by path and method.' },
              },
            },
          },
        },
      },
      '304': {
        description: 'Not modified: `If-None-Match` named the current `ETag`. No body.',
        headers: {
          ETag: { description: 'The current validator.', required: true, schema: ETAG },
        },
      },
    },
  })
  document(@Res() res: Response): void {
    res.status(200).type(MEDIA_JSON).setHeader('Cache-Control', 'no-cache').send(this.body);
  }
}
