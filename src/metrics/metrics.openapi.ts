// `GET /metrics`: Prometheus metrics of this instance (src/metrics), behind METRICS_TOKEN.
import { MEDIA_JSON, MEDIA_PROMETHEUS, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';

const EXPOSITION = `# HELP idp_http_request_duration_seconds HTTP requests by door, route template, method and status class: time from arrival to the last byte of the answer.
# TYPE idp_http_request_duration_seconds histogram
idp_http_request_duration_seconds_bucket{le="0.005",door="scim",route="/scim/v2/Users/:id",method="GET",status_class="2xx"} 41
idp_http_request_duration_seconds_bucket{le="+Inf",door="scim",route="/scim/v2/Users/:id",method="GET",status_class="2xx"} 42
idp_http_request_duration_seconds_sum{door="scim",route="/scim/v2/Users/:id",method="GET",status_class="2xx"} 0.131
idp_http_request_duration_seconds_count{door="scim",route="/scim/v2/Users/:id",method="GET",status_class="2xx"} 42
`;

const envelope = (error: string) => ({ status: false, message: 'Not found', error, errors: [] });

export const GET_METRICS: OperationDoc = {
  id: 'getMetrics',
  summary: 'Prometheus metrics of this instance',
  description:
    "The instance's metrics in the Prometheus text format: requests by door and route template, rate-limit rejections, the job queue, job runs, provisioning operations, the request-log buffer, the database pool, event-loop lag and process figures, and the build. Served here only when `METRICS_TOKEN` is set, to `Authorization: Bearer <METRICS_TOKEN>`; `METRICS_PORT` serves the same without a token on a port of its own. Neither set: metrics are off and this answers 404. Not rate limited and not recorded in the request log.",
  responses: {
    '200': {
      description: 'The exposition (text format 0.0.4).',
      content: {
        [MEDIA_PROMETHEUS]: {
          schema: { type: 'string' },
          examples: { scrape: { summary: 'One histogram series', value: EXPOSITION } },
        },
      },
    },
    '401': {
      description: 'No bearer token, or not the metrics token.',
      headers: {
        'WWW-Authenticate': {
          description: 'Always `Bearer realm="metrics"`.',
          schema: { type: 'string', const: 'Bearer realm="metrics"' },
        },
      },
      content: { [MEDIA_JSON]: { schema: ref('ProvisioningError') } },
    },
    '404': {
      description: '`METRICS_TOKEN` is not set: metrics are off, or served only on `METRICS_PORT`.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('ProvisioningError'),
          examples: {
            off: {
              summary: 'No METRICS_TOKEN',
              value: envelope('Metrics are not served on this port: set METRICS_TOKEN to scrape them here'),
            },
          },
        },
      },
    },
  },
};
