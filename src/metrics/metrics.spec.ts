import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { loadConfig } from '../config/app-config';
import { Metrics } from './metrics';
import { markRateLimited } from './rate-limited';

const on = (): Metrics => new Metrics(loadConfig({ METRICS_TOKEN: 'm'.repeat(16) }));

/** A request through the middleware, answered with `status`. */
function exchange(metrics: Metrics, req: Partial<Request>, status: number, mark?: (res: Response) => void): void {
  const res = Object.assign(new EventEmitter(), { statusCode: status }) as unknown as Response;
  const next = jest.fn() as NextFunction;
  metrics.httpMiddleware()!({ method: 'GET', url: '/', baseUrl: '', ...req } as Request, res, next);
  expect(next).toHaveBeenCalled();
  mark?.(res);
  res.emit('finish');
}

async function samples(metrics: Metrics, name: string): Promise<{ labels: object; value: number }[]> {
  const metric = await metrics.registry!.getSingleMetric(name)!.get();
  return metric.values
    .filter((v) => {
      const metricName = (v as { metricName?: string }).metricName;
      return metricName === undefined || metricName.endsWith('_count');
    })
    .map((v) => ({ labels: v.labels, value: v.value }));
}

describe('Metrics', () => {
  it('is off, with no registry and nothing recorded, unless METRICS_TOKEN or METRICS_PORT is set', () => {
    const off = new Metrics(loadConfig({}));
    expect(off.enabled).toBe(false);
    expect(off.registry).toBeNull();
    expect(off.httpMiddleware()).toBeNull();
    expect(() => off.operation('CREATE_USER', null)).not.toThrow();
    expect(() => off.jobFinished('T', 'completed', 1)).not.toThrow();
    expect(new Metrics(loadConfig({ METRICS_PORT: '9464' })).enabled).toBe(true);
  });

  it('gives every app a registry of its own: two apps in one process register the same names', () => {
    const a = on();
    const b = on();
    expect(a.registry).not.toBe(b.registry);
    a.onApplicationShutdown();
    b.onApplicationShutdown();
  });

  it('labels requests by route template and door, unmatched ones by door only', async () => {
    const metrics = on();
    const route = { path: '/scim/v2/Users/:id' };
    exchange(metrics, { route, originalUrl: '/scim/v2/Users/1' }, 200);
    exchange(metrics, { route, originalUrl: '/scim/v2/Users/2' }, 200);
    exchange(metrics, { route, originalUrl: '/scim/v2/Users/3' }, 404);
    exchange(metrics, { originalUrl: '/scim/v2/Nope/4?x=1' }, 404);
    exchange(metrics, { originalUrl: '/wp-login.php' }, 404);
    exchange(metrics, { originalUrl: '/x', method: 'BREW' }, 404);
    const counts = await samples(metrics, 'idp_http_request_duration_seconds');
    const get = (labels: object) => counts.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    expect(get({ door: 'scim', route: '/scim/v2/Users/:id', method: 'GET', status_class: '2xx' })).toBe(2);
    expect(get({ door: 'scim', route: '/scim/v2/Users/:id', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(get({ door: 'scim', route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(get({ door: 'other', route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(get({ door: 'other', route: 'unmatched', method: 'other', status_class: '4xx' })).toBe(1);
    expect(counts).toHaveLength(5);
    metrics.onApplicationShutdown();
  });

  it('counts every 429 by the limit that refused it, `other` when none said', async () => {
    const metrics = on();
    const route = { path: '/api/admin/tenants' };
    exchange(metrics, { route, originalUrl: '/api/admin/tenants' }, 429, (res) => markRateLimited(res, 'admin'));
    exchange(metrics, { route, originalUrl: '/api/admin/tenants' }, 429);
    exchange(metrics, { route, originalUrl: '/api/admin/tenants' }, 200, (res) => markRateLimited(res, 'admin'));
    expect(await samples(metrics, 'idp_rate_limit_rejections_total')).toEqual([
      { labels: { limit: 'admin', door: 'admin' }, value: 1 },
      { labels: { limit: 'other', door: 'admin' }, value: 1 },
    ]);
    metrics.onApplicationShutdown();
  });

  it('counts operations as applied (error type none) or failed with their error type', async () => {
    const metrics = on();
    metrics.operation('CREATE_USER', null, 3);
    metrics.operation('CREATE_USER', 'DUPLICATE');
    metrics.operation('DELETE_USER', null, 0);
    expect(await samples(metrics, 'idp_operations_total')).toEqual([
      { labels: { operation: 'CREATE_USER', result: 'applied', error_type: 'none' }, value: 3 },
      { labels: { operation: 'CREATE_USER', result: 'failed', error_type: 'DUPLICATE' }, value: 1 },
    ]);
    metrics.onApplicationShutdown();
  });

  it('empties its registry when the app closes', async () => {
    const metrics = on();
    expect(await metrics.registry!.metrics()).toContain('idp_build_info');
    metrics.onApplicationShutdown();
    expect((await metrics.registry!.metrics()).trim()).toBe('');
  });
});
