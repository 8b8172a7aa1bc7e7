import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { TransactionRunner } from '../../database/transaction-runner';
import { EventSequencer } from '../feed/event-sequencer';
import { eventIdOfJti, setJti } from '../sets/set-token';
import { POLL_DEFAULT_EVENTS, PollRequestDto } from './dto/event-stream.dto';
import type { EventStreamRecord } from './event-stream.view';
import { EventStreamsRepository } from './event-streams.repository';
import { streamNotFound } from './event-streams.service';
import { StreamSigner } from '../sets/stream-signer';

/** How long a long poll (`returnImmediately: false`) waits for an event before answering empty. */
export const LONG_POLL_MS = 25_000;
/** How often a waiting poll looks for new events (the sequencer numbers them every 100 ms). */
const POLL_STEP_MS = 100;
/** Events the cursor walks over in one statement. */
const ADVANCE_BATCH = 5_000;
/** The longest lastError kept from a receiver's setErrs. */
const ERROR_MAX = 2_000;

/** RFC 8936 §2.3 answer. */
export interface PollAnswer {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

export interface PollOptions {
  /** Overrides LONG_POLL_MS (tests). */
  waitMs?: number;
  /** True once the client has gone: a waiting poll stops. */
  closed?: () => boolean;
}

/**
 * RFC 8936 poll delivery for a tenant's poll streams: acknowledgements move the stream's cursor
 * over the contiguous prefix of acknowledged (or filtered-out) events; unacknowledged SETs are
 * answered again until acknowledged. A long poll holds no database connection while it waits.
 */
@Injectable()
export class EventPollService {
  constructor(
    private readonly streams: EventStreamsRepository,
    private readonly transactions: TransactionRunner,
    private readonly sequencer: EventSequencer,
    private readonly signer: StreamSigner,
  ) {}

  async poll(
    tenantId: string,
    streamId: string,
    request: PollRequestDto,
    options: PollOptions = {},
  ): Promise<PollAnswer> {
    const stream = await this.streams.findById(this.transactions.manager, streamId);
    if (!stream || stream.tenantId !== tenantId) throw streamNotFound(streamId);
    if (stream.delivery !== 'poll') {
      throw new DomainError(
        'CONFLICT',
        `Event stream '${streamId}' is a push stream: its SETs are pushed to its endpoint (RFC 8935), it cannot be polled`,
      );
    }
    const error = setErrsText(request.setErrs);
    // Numbered first, so that filtered-out events just committed move the cursor too.
    await this.sequencer.catchUp();
    await this.acknowledge(stream.id, request.ack ?? [], error);

    const maxEvents = request.maxEvents ?? POLL_DEFAULT_EVENTS;
    const deadline = Date.now() + (request.returnImmediately ? 0 : (options.waitMs ?? LONG_POLL_MS));
    for (;;) {
      await this.sequencer.catchUp();
      const current = await this.streams.findById(this.transactions.manager, streamId);
      if (!current) throw streamNotFound(streamId);
      const pending =
        current.status === 'active'
          ? await this.streams.pendingEvents(this.transactions.manager, current, maxEvents + 1)
          : [];
      const ready = pending.length > 0 && maxEvents > 0;
      if (ready || maxEvents === 0 || Date.now() >= deadline || options.closed?.()) {
        const page = pending.slice(0, maxEvents);
        const sets = Object.fromEntries(this.signer.sign(current, page).map(({ jti, token }) => [jti, token]));
        return { sets, moreAvailable: pending.length > page.length };
      }
      await sleep(POLL_STEP_MS);
    }
  }

  /** Records acks (jtis of this stream's SETs; others are ignored) and the receiver's errors, then moves the cursor. */
  private async acknowledge(streamId: string, ack: string[], error: string | undefined): Promise<void> {
    await this.transactions.run(async (em) => {
      const stream = (await this.streams.findById(em, streamId, true))!;
      const eventIds = [...new Set(ack)]
        .map((jti) => ({ jti, eventId: eventIdOfJti(jti) }))
        .filter(
          (item): item is { jti: string; eventId: string } =>
            !!item.eventId && setJti(item.eventId, streamId) === item.jti,
        )
        .map((item) => item.eventId);
      const found = await this.streams.seqsOfEvents(em, stream.tenantId, stream.cursor, eventIds);
      const acked = new Set([...stream.acked, ...found.map((row) => row.seq)]);
      const cursor = await this.advance(em, stream, [...acked]);
      const remaining = [...acked].filter((seq) => BigInt(seq) > BigInt(cursor)).sort(bySeq);
      const changed = cursor !== stream.cursor || remaining.length !== stream.acked.length || error !== undefined;
      if (changed) {
        await this.streams.savePollState(em, streamId, {
          cursor,
          acked: remaining,
          delivered: found.length > 0,
          error,
        });
      }
    });
  }

  /** The cursor after the contiguous run of events the stream is done with (acked or filtered out). */
  private async advance(em: EntityManager, stream: EventStreamRecord, acked: string[]): Promise<string> {
    let cursor = stream.cursor;
    for (;;) {
      const batch = await this.streams.doneAfter(em, stream, cursor, acked, ADVANCE_BATCH);
      for (const { seq, done } of batch) {
        if (!done) return cursor;
        cursor = seq;
      }
      if (batch.length < ADVANCE_BATCH) return cursor;
    }
  }
}

const bySeq = (a: string, b: string): number => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** RFC 8936 §2.4 setErrs as the stream's lastError; a malformed entry is a 400. */
function setErrsText(setErrs: PollRequestDto['setErrs']): string | undefined {
  if (!setErrs) return undefined;
  const parts: string[] = [];
  for (const [jti, value] of Object.entries(setErrs)) {
    if (typeof value !== 'object' || value === null || typeof value.err !== 'string') {
      const message = `setErrs.${jti} must be an object {err, description} (RFC 8936 §2.4)`;
      throw DomainError.validation(message, { path: `setErrs.${jti}`, message });
    }
    const description = typeof value.description === 'string' ? `: ${value.description}` : '';
    parts.push(`${jti} ${value.err}${description}`);
  }
  if (parts.length === 0) return undefined;
  const text = `receiver reported: ${parts.join('; ')}`;
  return text.length > ERROR_MAX ? `${text.slice(0, ERROR_MAX - 1)}…` : text;
}
