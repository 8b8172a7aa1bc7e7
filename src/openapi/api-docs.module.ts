import { DynamicModule, Module } from '@nestjs/common';
import { OPENAPI_DOCUMENT, OpenApiDocumentController } from './api-docs.controller';
import { ApiReferenceController } from './api-reference.controller';
import type { OpenApiDocument } from './openapi.types';

/**
 * Serves the OpenAPI document built at start-up (`/api/docs/openapi.json`) and the reference page
 * showing it with Swagger UI (`/api/docs`).
 */
@Module({})
export class ApiDocsModule {
  static serving(document: OpenApiDocument): DynamicModule {
    return {
      module: ApiDocsModule,
      controllers: [OpenApiDocumentController, ApiReferenceController],
      providers: [{ provide: OPENAPI_DOCUMENT, useValue: document }],
    };
  }
}
