import { DynamicModule, Module } from '@nestjs/common';
import { OPENAPI_DOCUMENT, OpenApiDocumentController } from './api-docs.controller';
import type { OpenApiDocument } from './openapi.types';

/** Serves the OpenAPI document built at start-up (`/api/docs/openapi.json`) and the reference page. */
@Module({})
export class ApiDocsModule {
  static serving(document: OpenApiDocument): DynamicModule {
    return {
      module: ApiDocsModule,
      controllers: [OpenApiDocumentController],
      providers: [{ provide: OPENAPI_DOCUMENT, useValue: document }],
    };
  }
}
