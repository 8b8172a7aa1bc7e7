import { Inject, Injectable } from '@nestjs/common';
import * as dns from 'node:dns';
import { SERVER_KEY } from '../../auth/server-key.provider';
import type { ServerKey } from '../../auth/server-key';
import { DomainError } from '../../common/domain-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TransactionRunner } from '../../database/transaction-runner';
import { TenantsService } from '../../directory/tenants.service';
import { ChangeEventsRepository } from '../change-events.repository';
import { EventSequencer } from '../feed/event-sequencer';
import {
  checkReceiverUrl,
  parseReceiverAllowlist,
  ReceiverAllowlist,
  ReceiverUrlError,
  Resolver,
} from '../receivers/receiver-url';
import { generateStreamKey } from '../sets/stream-keys';
import {
  CreateEventStreamDto,
  STREAM_EVENT_TYPES,
  STREAM_RESOURCE_TYPES,
  UpdateEventStreamDto,
} from './dto/event-stream.dto';
import { EventStreamRecord, EventStreamState } from './event-stream.view';
import { EventStreamChanges, EventStreamsRepository } from './event-streams.repository';

export type StreamWithState = { stream: EventStreamRecord; state: EventStreamState };

const resolveAll: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/** A tenant's event streams: registration, filters, signing keys (design §3). Delivery is elsewhere. */
@Injectable()
export class EventStreamsService {
  private readonly allow: ReceiverAllowlist;
  /** How endpoint host names are resolved for the registration check (DNS). */
  private readonly resolve: Resolver = resolveAll;

  constructor(
    private readonly streams: EventStreamsRepository,
    private readonly tenants: TenantsService,
    private readonly transactions: TransactionRunner,
    private readonly sequencer: EventSequencer,
    private readonly changes: ChangeEventsRepository,
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.allow = parseReceiverAllowlist(config.eventReceiverAllowlist);
  }

  async create(tenantId: string, body: CreateEventStreamDto): Promise<StreamWithState> {
    await this.tenants.find(tenantId);
    const endpointUrl = await this.endpointFor(body.delivery, body.endpointUrl);
    // Events committed before now are numbered first: "from now on" means after all of them.
    await this.sequencer.catchUp();
    const key = generateStreamKey();
    const id = await this.transactions.run(async (em) => {
      if (body.startAfter !== undefined) {
        const last = await this.changes.lastSeq(em, tenantId);
        if (BigInt(body.startAfter) > BigInt(last)) {
          throw DomainError.validation(`startAfter ${body.startAfter} is beyond the tenant's last seq (${last})`, {
            path: 'startAfter',
            message: `startAfter must be at most the tenant's last seq (${last})`,
          });
        }
      }
      return this.streams.insert(em, {
        tenantId,
        name: body.name,
        delivery: body.delivery,
        endpointUrl,
        eventTypes: body.eventTypes ?? [...STREAM_EVENT_TYPES],
        resourceTypes: body.resourceTypes ?? [...STREAM_RESOURCE_TYPES],
        form: body.form ?? 'notice',
        cursor: body.startAfter === undefined ? null : String(body.startAfter),
        signingKid: key.kid,
        signingKeySealed: this.serverKey.encrypt(key.privateJwk),
        publicJwk: { ...key.publicJwk },
      });
    });
    return this.get(tenantId, id);
  }

  async list(tenantId: string): Promise<StreamWithState[]> {
    await this.tenants.find(tenantId);
    return this.streams.list(this.transactions.manager, tenantId);
  }

  async get(tenantId: string, id: string): Promise<StreamWithState> {
    const found = await this.streams.find(this.transactions.manager, tenantId, id);
    if (!found) throw streamNotFound(id);
    return found;
  }

  async update(tenantId: string, id: string, body: UpdateEventStreamDto): Promise<StreamWithState> {
    const { stream } = await this.get(tenantId, id);
    const changes: EventStreamChanges = {
      name: body.name,
      eventTypes: body.eventTypes,
      resourceTypes: body.resourceTypes,
      form: body.form,
    };
    if (body.endpointUrl !== undefined) changes.endpointUrl = await this.endpointFor(stream.delivery, body.endpointUrl);
    if (!(await this.transactions.run((em) => this.streams.update(em, tenantId, id, changes))))
      throw streamNotFound(id);
    return this.get(tenantId, id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.transactions.run((em) => this.streams.delete(em, tenantId, id)))) throw streamNotFound(id);
  }

  /** A new signing key; the one it replaces stays in the JWKS (as the previous) until the next rotation. */
  async rotateKey(tenantId: string, id: string): Promise<StreamWithState> {
    const key = generateStreamKey();
    const sealed = this.serverKey.encrypt(key.privateJwk);
    const rotated = await this.transactions.run((em) =>
      this.streams.rotateKey(em, tenantId, id, { kid: key.kid, sealed, publicJwk: { ...key.publicJwk } }),
    );
    if (!rotated) throw streamNotFound(id);
    return this.get(tenantId, id);
  }

  /** The tenant's JWKS: every stream's current and previous public key. An unknown tenant has none. */
  async jwks(tenantId: string): Promise<{ keys: Array<Record<string, unknown>> }> {
    return { keys: await this.streams.publicKeys(this.transactions.manager, tenantId) };
  }

  /** Push: an endpoint is required and must pass the SSRF rules. Poll: none may be given. */
  private async endpointFor(delivery: EventStreamRecord['delivery'], endpointUrl: string | null | undefined) {
    if (delivery === 'poll') {
      if (endpointUrl !== undefined && endpointUrl !== null) {
        throw invalidEndpoint('a poll stream has no endpointUrl: its receiver polls this service (RFC 8936)');
      }
      return null;
    }
    if (endpointUrl === undefined || endpointUrl === null || endpointUrl === '') {
      throw invalidEndpoint('endpointUrl is required for a push stream (RFC 8935)');
    }
    try {
      return (await checkReceiverUrl(endpointUrl, this.allow, this.resolve)).href;
    } catch (error) {
      if (error instanceof ReceiverUrlError) throw invalidEndpoint(error.message);
      throw error;
    }
  }
}

function invalidEndpoint(message: string): DomainError {
  return DomainError.validation(message, { path: 'endpointUrl', field: 'endpointUrl', message });
}

export function streamNotFound(id: string): DomainError {
  return DomainError.notFound(`Event stream '${id}' not found`);
}
