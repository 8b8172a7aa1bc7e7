import { Injectable, NestMiddleware, NotFoundException } from '@nestjs/common';

/**
 * APP_ROLE=worker: the instance runs jobs and periodic tasks and serves only /health, /health/live and /health/ready; any other
 * path answers 404 (in the envelope of the API it belongs to) saying where to send it instead.
 */
@Injectable()
export class WorkerOnlyMiddleware implements NestMiddleware {
  use(): never {
    throw new NotFoundException(
      'This instance runs background jobs only (APP_ROLE=worker) and serves /health, /health/live and /health/ready; send API requests to an api instance',
    );
  }
}
