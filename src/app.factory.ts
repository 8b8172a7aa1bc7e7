import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module';
import { correlationIdMiddleware } from './common/correlation-id';
import { RequestCaptureMiddleware } from './request-log/request-capture.middleware';
import type { AppConfig } from './config/app-config';
import { globalValidationPipe } from './common/validation';
import { JsonLogger } from './common/json-logger';
import { ApiDocsModule } from './openapi/api-docs.module';
import { openApiDocument } from './openapi/openapi.document';

export interface CreateAppOptions {
  /** Extra modules (tests mount probes). */
  extra?: Type[];
  logger?: JsonLogger | false;
}

/** The whole HTTP application, configured the same way for `main.ts` and the end-to-end tests. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  // A worker serves only the /health routes: no document for it.
  const docs = config.appRole === 'worker' ? [] : [ApiDocsModule.serving(openApiDocument())];
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, [...docs, ...(options.extra ?? [])]),
    {
      // Parsed by BodyParserMiddleware: BODY_LIMIT, application/scim+json, errors in our envelope.
      bodyParser: false,
      logger: options.logger ?? new JsonLogger(),
      abortOnError: false,
    },
  );
  // Ahead of Nest's router, so what the router itself refuses (`/`, a path that does not decode)
  // is recorded and gets a correlation id like the rest. A worker serves only the /health routes.
  if (config.appRole !== 'worker') {
    const capture = app.get(RequestCaptureMiddleware);
    app.use((req: Request, res: Response, next: NextFunction) => capture.use(req, res, next));
    const server: Server = app.getHttpServer();
    server.on('clientError', (error: Error, socket: Duplex) => capture.clientError(error, socket));
  }
  app.use(correlationIdMiddleware);
  app.disable('x-powered-by');
  // Off unless TRUST_PROXY names the proxies: otherwise any client could forge X-Forwarded-*.
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'extended');
  app.useGlobalPipes(globalValidationPipe());
  return app;
}
