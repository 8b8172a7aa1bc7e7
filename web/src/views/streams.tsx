import { useCallback, useState } from 'preact/hooks';
import type { Api, Tenant } from '../api';
import { errorText } from '../api';
import {
  createStream,
  deleteStream,
  EventStream,
  listDeadLetters,
  listStreams,
  pauseStream,
  replayStream,
  resumeStream,
  rotateStreamKey,
  STREAM_EVENT_TYPES,
  STREAM_RESOURCE_TYPES,
  StreamDelivery,
  StreamEventType,
  StreamForm,
  StreamResourceType,
} from '../api-streams';
import '../styles/streams.css';
import '../styles/tenants.css';
import {
  ConfirmButton,
  ErrorLine,
  Field,
  Pager,
  RowLink,
  StatusBadge,
  tenantLabel,
  Text,
  Time,
  useInterval,
  useLoad,
  ViewProps,
} from './common';

const streamsHref = (tenantId: string): string => `#/streams/${encodeURIComponent(tenantId)}`;
const streamHref = (tenantId: string, streamId: string): string =>
  `${streamsHref(tenantId)}/${encodeURIComponent(streamId)}`;

/**
 * `#/streams/<tenantId>`: a tenant's event streams (push and poll SCIM security-event streams),
 * `#/streams/<tenantId>/<streamId>`: the same, with one stream's operations and dead letters open.
 * `#/streams` lists the tenants to choose from (a TENANT_ADMIN goes straight to its own).
 */
export function StreamsView({ api, me, tenants, path }: ViewProps) {
  const tenantId = path[0] ?? (me.scope === 'tenant' ? me.tenantId : null);
  if (!tenantId) {
    return (
      <section aria-labelledby="streams-title">
        <h2 id="streams-title">Event streams</h2>
        <p>Choose a tenant:</p>
        {tenants.length === 0 ? (
          <p class="muted">No tenants yet.</p>
        ) : (
          <ul>
            {tenants.map((tenant) => (
              <li key={tenant.id}>
                <a href={streamsHref(tenant.id)}>{tenant.name ?? tenant.id}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  }
  return <TenantStreams key={tenantId} api={api} tenants={tenants} tenantId={tenantId} openId={path[1]} />;
}

function TenantStreams(props: { api: Api; tenants: Tenant[]; tenantId: string; openId?: string }) {
  const { api, tenantId, openId } = props;
  const [tick, setTick] = useState(0);
  const [auto, setAuto] = useState(true);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  const list = useLoad((signal) => listStreams(api, tenantId, signal), [api, tenantId, tick]);
  const streams = list.data?.items ?? [];
  // Like the transactions list: it refreshes itself only while a stream has something to deliver.
  const moving = streams.some((stream) => stream.status === 'active' && (stream.lag > 0 || stream.failingSince));
  useInterval(refresh, 3000, auto && moving);
  const open = streams.find((stream) => stream.id === openId);
  return (
    <section class="streams" aria-labelledby="streams-title">
      <p class="small">
        <a href={`#/tenants/${encodeURIComponent(tenantId)}`}>‹ Tenant {tenantLabel(props.tenants, tenantId)}</a>
      </p>
      <h2 id="streams-title">
        Event streams <span class="small muted">of {tenantLabel(props.tenants, tenantId)}</span>
      </h2>
      <div class="actions">
        <button type="button" onClick={refresh}>
          Refresh
        </button>
        <label class="inline">
          <input type="checkbox" checked={auto} onChange={(event) => setAuto(event.currentTarget.checked)} /> refresh
          every 3 s while a stream is behind
        </label>
      </div>
      <ErrorLine error={list.error} />
      {list.data && streams.length === 0 && <p class="empty">No event stream yet.</p>}
      {streams.length > 0 && <StreamTable tenantId={tenantId} streams={streams} openId={openId} />}
      {openId !== undefined && list.data && !open && (
        <ErrorLine error={`The tenant has no event stream ${openId} (deleted?).`} />
      )}
      {open && <StreamPanel key={open.id} api={api} tenantId={tenantId} stream={open} onChanged={refresh} />}
      <CreateStreamForm api={api} tenantId={tenantId} onCreated={refresh} />
    </section>
  );
}

function StreamTable({ tenantId, streams, openId }: { tenantId: string; streams: EventStream[]; openId?: string }) {
  return (
    <div class="table-wrap">
      <table class="grid streams-table" aria-label="Event streams">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Delivery</th>
            <th scope="col">Endpoint or poll URL</th>
            <th scope="col">Form</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Lag
            </th>
            <th scope="col">Last delivered</th>
            <th scope="col">Last error</th>
            <th scope="col">Failing since · next attempt</th>
            <th scope="col" class="num">
              Dead letters
            </th>
          </tr>
        </thead>
        <tbody>
          {streams.map((stream) => (
            <tr
              key={stream.id}
              data-stream={stream.id}
              class={stream.id === openId ? 'row current' : 'row'}
              aria-current={stream.id === openId ? 'true' : undefined}
            >
              <td>
                <RowLink href={streamHref(tenantId, stream.id)} title="Operations and dead letters">
                  {stream.name}
                </RowLink>
                <div class="small muted mono">{stream.id}</div>
              </td>
              <td>{stream.delivery}</td>
              <td class="mono small stream-url">{stream.endpointUrl ?? stream.pollUrl}</td>
              <td>{stream.form}</td>
              <td>
                <StatusBadge status={stream.status} />
              </td>
              <td class="num" title={`cursor ${stream.cursor}`}>
                {stream.lag}
              </td>
              <td class="nowrap">
                <Time iso={stream.lastDeliveredOn} short />
              </td>
              <td>
                {stream.lastError ? (
                  <>
                    <span class="err">{stream.lastError}</span>
                    <div class="small">
                      <Time iso={stream.lastErrorOn} short />
                    </div>
                  </>
                ) : (
                  <Text value={null} />
                )}
              </td>
              <td class="nowrap">
                {stream.failingSince || stream.nextAttemptOn ? (
                  <>
                    <Time iso={stream.failingSince} short />
                    <div class="small">
                      next <Time iso={stream.nextAttemptOn} short />
                    </div>
                  </>
                ) : (
                  <Text value={null} />
                )}
              </td>
              <td class={stream.deadLetters > 0 ? 'num err' : 'num'}>{stream.deadLetters}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const SEQ = /^(0|[1-9][0-9]{0,17})$/;

/** What a replay from `after` sends again, in words, for its confirmation. */
export function replayQuestion(stream: EventStream, after: string): string {
  const cursor = BigInt(stream.cursor);
  const last = cursor + BigInt(stream.lag);
  const from = BigInt(after);
  const carried = `${stream.eventTypes.join(', ')} of ${stream.resourceTypes.join(', ')}`;
  if (from >= last) {
    return `Move ${stream.name} to seq ${after}? Nothing is sent again; events up to seq ${after} are skipped.`;
  }
  const skipped = from > cursor ? ` Events ${cursor + 1n} to ${from} are skipped, never sent.` : '';
  return (
    `Replay ${stream.name} after seq ${after}? Every event from seq ${from + 1n} to ${last} ` +
    `(${last - from} event(s) of the feed; those it carries: ${carried}) is sent again, with the same jti, ` +
    `and later ones follow.${skipped}`
  );
}

function StreamPanel(props: { api: Api; tenantId: string; stream: EventStream; onChanged: () => void }) {
  const { api, tenantId, stream } = props;
  const [after, setAfter] = useState('0');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [lettersTick, setLettersTick] = useState(0);
  const act = async (work: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await work();
      setDone(message);
      props.onChanged();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  const seqValid = SEQ.test(after.trim());
  return (
    <section class="tenant-card stream-panel" aria-labelledby="stream-panel-title">
      <h3 id="stream-panel-title">
        Stream {stream.name} <StatusBadge status={stream.status} />
      </h3>
      <dl class="facts">
        <dt>Delivery</dt>
        <dd>
          {stream.delivery} · {stream.form} form
        </dd>
        <dt>{stream.delivery === 'push' ? 'Endpoint' : 'Poll URL'}</dt>
        <dd class="mono stream-url">{stream.endpointUrl ?? stream.pollUrl}</dd>
        <dt>Carries</dt>
        <dd>
          {stream.eventTypes.join(', ')} of {stream.resourceTypes.join(', ')}
        </dd>
        <dt>Cursor</dt>
        <dd>
          seq {stream.cursor} · {stream.lag} behind · {stream.attempts} failed attempt(s) in a row
        </dd>
        <dt>Signing key</dt>
        <dd class="mono">
          <span class="kid">{stream.signingKey.kid}</span>
          {stream.signingKey.previousKid && (
            <div class="small muted">previous {stream.signingKey.previousKid} (still in the JWKS)</div>
          )}
        </dd>
        <dt>JWKS</dt>
        <dd class="mono stream-url">{stream.signingKey.jwksUri}</dd>
      </dl>
      <div class="stream-actions">
        {stream.status === 'active' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => pauseStream(api, tenantId, stream.id), 'Paused.')}
          >
            Pause
          </button>
        ) : (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() => void act(() => resumeStream(api, tenantId, stream.id), 'Resumed.')}
          >
            Resume
          </button>
        )}
        <form class="replay-form" aria-label="Replay" onSubmit={(event) => event.preventDefault()}>
          <Field label="Replay after seq">
            <input
              name="after"
              inputMode="numeric"
              value={after}
              aria-invalid={seqValid ? undefined : 'true'}
              onInput={(event) => setAfter(event.currentTarget.value)}
            />
          </Field>
          <ConfirmButton
            label="Replay"
            disabled={!seqValid}
            question={seqValid ? replayQuestion(stream, after.trim()) : ''}
            confirmLabel="Replay"
            onConfirm={async () => {
              await replayStream(api, tenantId, stream.id, after.trim());
              setDone(`Replaying after seq ${after.trim()}.`);
              props.onChanged();
            }}
          />
        </form>
        <ConfirmButton
          label="Rotate signing key"
          question={`Rotate the signing key of ${stream.name}? New SETs are signed with a new key; the current key (${stream.signingKey.kid}) stays in the JWKS as the previous one, and the one before it leaves.`}
          confirmLabel="Rotate"
          onConfirm={async () => {
            await rotateStreamKey(api, tenantId, stream.id);
            setDone('Signing key rotated.');
            props.onChanged();
          }}
        />
        <ConfirmButton
          label="Delete stream"
          question={`Delete ${stream.name}? Its receiver gets no more events, its dead letters are deleted and its keys leave the JWKS.`}
          confirmLabel="Delete"
          onConfirm={async () => {
            await deleteStream(api, tenantId, stream.id);
            window.location.hash = streamsHref(tenantId);
            props.onChanged();
          }}
        />
      </div>
      <ErrorLine error={error} />
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      <h4>
        Dead letters ({stream.deadLetters}){' '}
        <button type="button" onClick={() => setLettersTick((n) => n + 1)}>
          Reload dead letters
        </button>
      </h4>
      <DeadLetters api={api} tenantId={tenantId} streamId={stream.id} reload={`${lettersTick}/${stream.deadLetters}`} />
    </section>
  );
}

/** A stream's dead letters, newest first; the SET as text (it is whatever was sent, never markup here). */
function DeadLetters(props: { api: Api; tenantId: string; streamId: string; reload: string }) {
  const [page, setPage] = useState(1);
  const letters = useLoad(
    (signal) => listDeadLetters(props.api, props.tenantId, props.streamId, page, signal),
    [props.api, props.tenantId, props.streamId, page, props.reload],
  );
  return (
    <>
      <ErrorLine error={letters.error} />
      {letters.data && letters.data.items.length === 0 && <p class="muted">No dead letter.</p>}
      {letters.data && letters.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="grid dead-letters" aria-label="Dead letters">
            <thead>
              <tr>
                <th scope="col" class="num">
                  Seq
                </th>
                <th scope="col">Error</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Given up</th>
              </tr>
            </thead>
            <tbody>
              {letters.data.items.map((letter) => [
                <tr key={`${letter.seq}-${letter.eventId}`} data-seq={letter.seq}>
                  <td class="num">{letter.seq}</td>
                  <td class="err">{letter.error}</td>
                  <td class="num">{letter.attempts}</td>
                  <td class="nowrap">
                    <Time iso={letter.deadOn} />
                  </td>
                </tr>,
                <tr key={`${letter.seq}-${letter.eventId}-set`} class="failure-item-row" data-set-of={letter.seq}>
                  <td colSpan={4}>
                    <details class="failure-item">
                      <summary>SET of seq {letter.seq}, as last sent</summary>
                      <pre class="body set-token">{letter.set}</pre>
                    </details>
                  </td>
                </tr>,
              ])}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={letters.data} onPage={setPage} />
    </>
  );
}

function CreateStreamForm({ api, tenantId, onCreated }: { api: Api; tenantId: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [delivery, setDelivery] = useState<StreamDelivery>('push');
  const [endpointUrl, setEndpointUrl] = useState('');
  const [eventTypes, setEventTypes] = useState<StreamEventType[]>([...STREAM_EVENT_TYPES]);
  const [resourceTypes, setResourceTypes] = useState<StreamResourceType[]>([...STREAM_RESOURCE_TYPES]);
  const [form, setForm] = useState<StreamForm>('notice');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<EventStream | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const stream = await createStream(api, tenantId, {
        name: name.trim(),
        delivery,
        ...(delivery === 'push' ? { endpointUrl: endpointUrl.trim() } : {}),
        eventTypes,
        resourceTypes,
        form,
      });
      setCreated(stream);
      setName('');
      setEndpointUrl('');
      onCreated();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="tenant-card tenant-form"
      aria-labelledby="create-stream-title"
      onSubmit={(event) => void submit(event)}
    >
      <h3 id="create-stream-title">New event stream</h3>
      <div class="form-row">
        <Field label="Stream name">
          <input
            name="name"
            aria-required="true"
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </Field>
        <Field label="Delivery">
          <select
            name="delivery"
            value={delivery}
            onChange={(event) => setDelivery(event.currentTarget.value as StreamDelivery)}
          >
            <option value="push">push (we POST to the receiver)</option>
            <option value="poll">poll (the receiver polls)</option>
          </select>
        </Field>
        {delivery === 'push' && (
          <Field label="Endpoint URL">
            <input
              name="endpointUrl"
              type="url"
              aria-required="true"
              placeholder="https://receiver.example/events"
              value={endpointUrl}
              onInput={(event) => setEndpointUrl(event.currentTarget.value)}
            />
          </Field>
        )}
        <Field label="Form">
          <select name="form" value={form} onChange={(event) => setForm(event.currentTarget.value as StreamForm)}>
            <option value="notice">notice (attribute names)</option>
            <option value="full">full (values)</option>
          </select>
        </Field>
      </div>
      <div class="form-row">
        <Checkboxes
          legend="Event types"
          name="eventTypes"
          all={STREAM_EVENT_TYPES}
          chosen={eventTypes}
          onChange={setEventTypes}
        />
        <Checkboxes
          legend="Resource types"
          name="resourceTypes"
          all={STREAM_RESOURCE_TYPES}
          chosen={resourceTypes}
          onChange={setResourceTypes}
        />
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Create stream
        </button>
      </div>
      <ErrorLine error={error} />
      {created && (
        <p class="notice" role="status">
          Created <a href={streamHref(tenantId, created.id)}>{created.name}</a>, signing key{' '}
          <span class="mono">{created.signingKey.kid}</span>.
        </p>
      )}
    </form>
  );
}

function Checkboxes<T extends string>(props: {
  legend: string;
  name: string;
  all: readonly T[];
  chosen: T[];
  onChange: (chosen: T[]) => void;
}) {
  return (
    <fieldset class="roles">
      <legend>{props.legend}</legend>
      {props.all.map((value) => (
        <label key={value} class="inline">
          <input
            type="checkbox"
            name={props.name}
            value={value}
            checked={props.chosen.includes(value)}
            onChange={(event) =>
              props.onChange(
                event.currentTarget.checked
                  ? props.all.filter((candidate) => candidate === value || props.chosen.includes(candidate))
                  : props.chosen.filter((candidate) => candidate !== value),
              )
            }
          />{' '}
          {value}
        </label>
      ))}
    </fieldset>
  );
}
