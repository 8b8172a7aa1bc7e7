import { Api } from '../api';
import { linkedLog, links } from '../api-failures';
import '../styles/failures.css';
import { formatDuration, prettyBody, statusClass } from '../format';
import { ErrorLine, Text, Time, useLoad } from './common';

/** One request in full. Every value goes into text nodes: markup in a logged body stays text. */
export function LogDetailView({ api, id }: { api: Api; id: string }) {
  const { data: log, error, loading } = useLoad((signal) => linkedLog(api, id, signal), [api, id]);
  return (
    <section class="detail log-detail" aria-label="Request detail">
      <p>
        <a href="#/logs">‹ Back to the list</a>
      </p>
      <ErrorLine error={error} />
      {loading && !log && <p class="muted">Loading…</p>}
      {log && log.id === id && (
        <>
          <h2>
            <span class="method">{log.method}</span> <span class="path">{log.path}</span>{' '}
            <span class={statusClass(log.status)}>{log.status}</span>
          </h2>
          <dl class="facts">
            <dt>Time</dt>
            <dd>
              <Time iso={log.time} />
            </dd>
            <dt>Duration</dt>
            <dd>{formatDuration(log.durationMs)}</dd>
            <dt>Tenant</dt>
            <dd title={log.tenantId ?? ''}>
              <Text value={log.tenantName ?? log.tenantId} />
            </dd>
            <dt>Client address</dt>
            <dd class="mono">
              <Text value={log.clientAddress} />
            </dd>
            <dt>Credential</dt>
            <dd>
              <Text value={log.credentialName ?? log.credentialId} />
              {log.credentialName && <span class="secondary-id">{log.credentialId}</span>}
            </dd>
            <dt>Correlation id</dt>
            <dd class="mono">
              {log.correlationId ? (
                <a href={links.correlation(log.correlationId)} title="Every logged request with this correlation id">
                  {log.correlationId}
                </a>
              ) : (
                <Text value={null} />
              )}
            </dd>
            <dt>Transaction</dt>
            <dd class="mono">
              {log.related?.transactionId ? (
                <a href={links.transaction(log.related.transactionId)}>{log.related.transactionId}</a>
              ) : (
                <Text value={null} />
              )}
            </dd>
            <dt>Job</dt>
            <dd class="mono">
              {log.related?.jobId ? (
                <a href={links.job(log.related.jobId)}>{log.related.jobId}</a>
              ) : (
                <Text value={null} />
              )}
            </dd>
            <dt>Identifier</dt>
            <dd>
              <Text value={log.identifier} />
            </dd>
            <dt>Error</dt>
            <dd class={log.errorMessage ? 'err' : ''}>
              <Text value={log.errorMessage} />
            </dd>
            <dt>Auth failure</dt>
            <dd class={log.authFailure ? 'err' : ''}>
              <Text value={log.authFailure} />
            </dd>
            <dt>Id</dt>
            <dd class="mono">{log.id}</dd>
          </dl>
          {log.detailsOmitted && (
            <p class="muted small">
              The database refused this request's full row: it was stored without its bodies, and perhaps its headers.
            </p>
          )}
          <div class="messages">
            <Message
              title="Request"
              headers={log.requestHeaders}
              body={log.requestBody}
              truncated={log.requestBodyTruncated}
            />
            <Message
              title="Response"
              headers={log.responseHeaders}
              body={log.responseBody}
              truncated={log.responseBodyTruncated}
            />
          </div>
        </>
      )}
    </section>
  );
}

function Message(props: { title: string; headers: Record<string, string>; body: string | null; truncated: boolean }) {
  const headers = Object.entries(props.headers ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const body = prettyBody(props.body);
  const slug = props.title.toLowerCase();
  return (
    <article class={`message ${slug}`} aria-label={props.title}>
      <h3>{props.title}</h3>
      <h4>Headers</h4>
      {headers.length === 0 ? (
        <p class="muted">No headers recorded.</p>
      ) : (
        <table class="headers">
          <tbody>
            {headers.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>
        Body {body.json && <span class="tag">JSON</span>}
        {props.truncated && <span class="tag warn">truncated</span>}
      </h4>
      {body.text === '' ? (
        <p class="muted">No body.</p>
      ) : (
        <pre class={`body ${slug}-body`}>
          {body.text}
          {props.truncated && <span class="cut">{'\n'}… (truncated when logged)</span>}
        </pre>
      )}
    </article>
  );
}
