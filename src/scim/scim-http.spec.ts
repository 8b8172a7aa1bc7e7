import express from 'express';
import request from 'supertest';
import { SCIM_CONTENT_TYPE, weakEtag, writeJson } from './scim-http';

/** The same answer twice: through Express's `res.send`, which writeJson stands in for, and through writeJson. */
function app(text: string, status = 200, etag?: string): express.Express {
  const served = express();
  served.get('/express', (_req, res) => {
    if (etag) res.setHeader('ETag', etag);
    res.status(status).type(SCIM_CONTENT_TYPE).send(text);
  });
  served.get('/ours', (_req, res) => {
    if (etag) res.setHeader('ETag', etag);
    writeJson(res, status, text);
  });
  return served;
}

/** Headers and body as a client sees them, without the Date that differs by the second. */
async function answer(served: express.Express, path: string, method: 'get' | 'head' = 'get', ifNoneMatch?: string) {
  const req = request(served)[method](path);
  if (ifNoneMatch) void req.set('If-None-Match', ifNoneMatch);
  const res = await req;
  const headers = Object.entries(res.headers).filter(([name]) => name !== 'date');
  return { status: res.status, headers, body: res.text };
}

const texts = {
  small: JSON.stringify({ schemas: ['urn:x'], totalResults: 0 }),
  large: JSON.stringify({ Resources: Array.from({ length: 300 }, (_, n) => ({ userName: `user${n}`, note: 'é€😀' })) }),
  empty: '',
};

describe('writeJson', () => {
  it.each(Object.entries(texts))('answers %s text exactly as res.send does, for GET and HEAD', async (_name, text) => {
    const served = app(text);
    expect(await answer(served, '/ours')).toEqual(await answer(served, '/express'));
    expect(await answer(served, '/ours', 'head')).toEqual(await answer(served, '/express', 'head'));
  });

  it('keeps an ETag set before it, and answers 304 as res.send does when If-None-Match names the ETag', async () => {
    const served = app(texts.small, 200, 'W/"7"');
    expect(await answer(served, '/ours')).toEqual(await answer(served, '/express'));
    const fresh = await answer(served, '/ours', 'get', 'W/"7"');
    expect(fresh.status).toBe(304);
    expect(fresh).toEqual(await answer(served, '/express', 'get', 'W/"7"'));

    const bodyTag = weakEtag(texts.large);
    const list = app(texts.large);
    const cached = await answer(list, '/ours', 'get', bodyTag);
    expect(cached.status).toBe(304);
    expect(cached).toEqual(await answer(list, '/express', 'get', bodyTag));
  });

  it('answers other statuses as res.send does', async () => {
    const served = app(texts.small, 201, 'W/"1"');
    expect(await answer(served, '/ours')).toEqual(await answer(served, '/express'));
  });
});
