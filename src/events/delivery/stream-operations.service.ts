import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AdminPage, adminPage, pageWindow } from '../../common/admin-page';
import { TransactionRunner } from '../../database/transaction-runner';
import { ChangeEventsRepository } from '../change-events.repository';
import { EventSequencer } from '../feed/event-sequencer';
import { compareSeq } from './delivery-lanes';
import { DeliveryStream, EventDeliveryRepository } from './event-delivery.repository';
import type { DeadLettersQuery } from './dto/stream-operations.dto';

/** A stream's delivery state, as the operations answer it. */
export interface StreamDeliveryView {
  id: string;
  status: 'active' | 'paused';
  delivery: 'push' | 'poll';
  cursor: string;
  attempts: number;
  failingSince: string | null;
}

export interface DeadLetterView {
  seq: string;
  eventId: string;
  set: string;
  error: string;
  attempts: number;
  deadOn: string;
}

/**
 * Pause, resume and replay of a stream, and its dead letters. Each change locks the stream row,
 * so a running delivery job sees it at its next step and drops that round's result (see
 * EventDeliveryHandler).
 */
@Injectable()
export class StreamOperationsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: EventDeliveryRepository,
    private readonly sequencer: EventSequencer,
    private readonly changes: ChangeEventsRepository,
  ) {}

  pause(tenantId: string, streamId: string): Promise<StreamDeliveryView> {
    return this.change(tenantId, streamId, async (em, stream) => {
      await this.repository.setStatus(em, stream.id, 'paused');
    });
  }

  resume(tenantId: string, streamId: string): Promise<StreamDeliveryView> {
    return this.change(tenantId, streamId, async (em, stream) => {
      await this.repository.setStatus(em, stream.id, 'active');
    });
  }

  async replay(tenantId: string, streamId: string, after: string): Promise<StreamDeliveryView> {
    await this.sequencer.catchUp();
    return this.change(tenantId, streamId, async (em, stream) => {
      const last = await this.changes.lastSeq(em, stream.tenantId);
      if (compareSeq(after, last) > 0) {
        throw ApiError.badRequest(`after must be at most the tenant's last seq (${last})`);
      }
      await this.repository.replay(em, stream.id, after);
    });
  }

  async deadLetters(tenantId: string, streamId: string, query: DeadLettersQuery): Promise<AdminPage<DeadLetterView>> {
    const window = pageWindow(query);
    return this.transactions.run(async (em) => {
      const stream = await this.repository.findTenantStream(em, tenantId, streamId);
      if (!stream) throw ApiError.notFound('Event stream not found');
      const { rows, total } = await this.repository.deadLetters(em, stream.id, window.offset, window.pageSize);
      return adminPage(
        window,
        total,
        rows.map((row) => ({
          seq: row.seq,
          eventId: row.eventId,
          set: row.setToken,
          error: row.error,
          attempts: row.attempts,
          deadOn: new Date(row.deadOn).toISOString(),
        })),
      );
    });
  }

  private change(
    tenantId: string,
    streamId: string,
    work: (em: Parameters<Parameters<TransactionRunner['run']>[0]>[0], stream: DeliveryStream) => Promise<void>,
  ): Promise<StreamDeliveryView> {
    return this.transactions.run(async (em) => {
      const stream = await this.repository.findTenantStream(em, tenantId, streamId, true);
      if (!stream) throw ApiError.notFound('Event stream not found');
      await work(em, stream);
      return toView((await this.repository.findStream(em, stream.id))!);
    });
  }
}

function toView(stream: DeliveryStream): StreamDeliveryView {
  return {
    id: stream.id,
    status: stream.status,
    delivery: stream.delivery,
    cursor: stream.cursor,
    attempts: stream.attempts,
    failingSince: stream.failingSince ? new Date(stream.failingSince).toISOString() : null,
  };
}
