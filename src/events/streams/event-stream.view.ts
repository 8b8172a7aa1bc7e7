import type { StreamDelivery, StreamEventType, StreamForm, StreamResourceType } from './dto/event-stream.dto';

/** An event stream as its row and the tenant's sequence have it (event-streams.repository). */
export interface EventStreamRecord {
  id: string;
  tenantId: string;
  name: string;
  delivery: StreamDelivery;
  endpointUrl: string | null;
  eventTypes: StreamEventType[];
  resourceTypes: StreamResourceType[];
  form: StreamForm;
  status: 'active' | 'paused';
  /** Every event with seq <= cursor is delivered, acknowledged, filtered out or dead-lettered. */
  cursor: string;
  /** Poll streams: seqs above the cursor already acknowledged. */
  acked: string[];
  signingKid: string;
  signingKeySealed: string;
  publicJwk: Record<string, unknown>;
  previousKid: string | null;
  previousPublicJwk: Record<string, unknown> | null;
  attempts: number;
  failingSince: Date | null;
  nextAttemptOn: Date | null;
  lastError: string | null;
  lastErrorOn: Date | null;
  lastDeliveredOn: Date | null;
  createdOn: Date;
  updatedOn: Date;
}

/** What the listing and reads add to the row: the tenant's last seq and the dead letters counted. */
export interface EventStreamState {
  lastSeq: string;
  deadLetters: number;
}

/** `EventStream` in the OpenAPI document. Never the private key, sealed or not. */
export interface EventStreamView {
  id: string;
  tenantId: string;
  name: string;
  delivery: StreamDelivery;
  endpointUrl: string | null;
  /** Poll streams: where the receiver polls (RFC 8936). */
  pollUrl: string | null;
  eventTypes: StreamEventType[];
  resourceTypes: StreamResourceType[];
  form: StreamForm;
  status: 'active' | 'paused';
  cursor: string;
  /** The tenant's last seq minus the cursor: events not yet delivered (filtered-out ones included). */
  lag: number;
  attempts: number;
  lastError: string | null;
  lastErrorOn: string | null;
  lastDeliveredOn: string | null;
  failingSince: string | null;
  nextAttemptOn: string | null;
  deadLetters: number;
  signingKey: { kid: string; alg: 'ES256'; jwksUri: string; previousKid: string | null };
  createdOn: string;
  updatedOn: string;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** `origin`: PUBLIC_BASE_URL or the request's own, for the JWKS and poll URLs. */
export function toEventStreamView(stream: EventStreamRecord, state: EventStreamState, origin: string): EventStreamView {
  return {
    id: stream.id,
    tenantId: stream.tenantId,
    name: stream.name,
    delivery: stream.delivery,
    endpointUrl: stream.endpointUrl,
    pollUrl: stream.delivery === 'poll' ? `${origin}/api/events/streams/${stream.id}/poll` : null,
    eventTypes: stream.eventTypes,
    resourceTypes: stream.resourceTypes,
    form: stream.form,
    status: stream.status,
    cursor: stream.cursor,
    lag: Math.max(0, Number(BigInt(state.lastSeq) - BigInt(stream.cursor))),
    attempts: stream.attempts,
    lastError: stream.lastError,
    lastErrorOn: iso(stream.lastErrorOn),
    lastDeliveredOn: iso(stream.lastDeliveredOn),
    failingSince: iso(stream.failingSince),
    nextAttemptOn: iso(stream.nextAttemptOn),
    deadLetters: state.deadLetters,
    signingKey: {
      kid: stream.signingKid,
      alg: 'ES256',
      jwksUri: jwksUri(origin, stream.tenantId),
      previousKid: stream.previousKid,
    },
    createdOn: stream.createdOn.toISOString(),
    updatedOn: stream.updatedOn.toISOString(),
  };
}

export function jwksUri(origin: string, tenantId: string): string {
  return `${origin}/api/events/${encodeURIComponent(tenantId)}/jwks.json`;
}
