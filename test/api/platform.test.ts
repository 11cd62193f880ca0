/**
 * What every request meets, whatever the feature: health and readiness, request ids, error
 * answers for API and pages, rate limits, the OpenAPI document, content negotiation and
 * security headers.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assertNoInternals, assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { Response } from '../helpers/http.ts';
import { STYLESHEET_PATH } from '../../src/web/assets.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let author: Author;
let article: { id: number; slug: string };

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'platform_admin');
  author = await makeAuthor(server, 'platform_author');
  article = await postArticle(server, author, {
    title: 'Platform article',
    body_markdown: 'Some text.',
    published: true,
  });
});
after(() => server.close());

/** A GET with no Accept header at all (fetch always sends one). */
function getWithoutAccept(url: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') headers.set(name, value);
          else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers, text, json: () => JSON.parse(text) });
      });
    });
    assert.equal(req.getHeader('accept'), undefined);
    req.on('error', reject);
    req.end();
  });
}

const SITE_HEADER = '<header class="site">';

function assertHtmlPage(res: Response, status: number) {
  assert.equal(res.status, status, res.text.slice(0, 300));
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.text, /^<!doctype html>/i);
  assert.ok(res.text.includes(SITE_HEADER), 'the page is in the site layout');
  assert.match(res.text, new RegExp(`Error ${status}`));
}

describe('health and readiness', () => {
  test('GET /healthz answers 200 {status: ok}', async () => {
    const res = await server.client().get('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('GET /readyz answers 200 with a reachable, migrated database', async () => {
    const res = await server.client().get('/readyz');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().status, 'ready');
  });

  describe('a node whose database goes away', () => {
    let broken: TestServer;
    before(async () => {
      broken = await startTestServer();
    });
    after(() => broken.close());

    test('/readyz answers 503 while a migration is pending', async () => {
      assert.equal((await broken.client().get('/readyz')).status, 200);
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(
        broken.ctx.database.db,
      );
      const name = applied.rows.at(-1)?.name;
      assert.ok(name, 'at least one migration was applied');
      await sql`delete from kysely_migration where name = ${name}`.execute(broken.ctx.database.db);
      const res = await broken.client().get('/readyz');
      assert.equal(res.status, 503, res.text);
      assert.notEqual(res.json().status, 'ready');
      assert.deepEqual(res.json().pending, [name]);
      assert.equal((await broken.client().get('/healthz')).status, 200, 'still alive');
    });

    test('/readyz answers 503 once the database is closed; /healthz stays 200', async () => {
      await broken.ctx.database.close();
      const res = await broken.client().get('/readyz');
      assert.equal(res.status, 503, res.text);
      assert.notEqual(res.json().status, 'ready');
      assertNoInternals(res.text);
      const live = await broken.client().get('/healthz');
      assert.equal(live.status, 200);
      assert.deepEqual(live.json(), { status: 'ok' });
    });

    test('an API request answers a generic 500 problem without internals', async () => {
      const res = await broken.client().get('/api/articles');
      const body = assertProblem(res, { status: 500, code: 'internal' });
      assert.equal(body.detail, 'Something went wrong on our side; it has been logged');
      assert.deepEqual(Object.keys(body).sort(), ['detail', 'error', 'status', 'title', 'type']);
      assertNoInternals(res.text);
      assert.ok(res.headers.get('x-request-id'), 'a 500 carries its request id');
    });

    test('a page request answers an HTML 500 page in the layout without internals', async () => {
      const res = await broken.client().get('/', { headers: { accept: 'text/html' } });
      assertHtmlPage(res, 500);
      assert.match(res.text, /Something went wrong on our side/);
      assertNoInternals(res.text);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    });
  });
});

describe('request ids', () => {
  test('every response carries x-request-id, success or error, JSON or HTML', async () => {
    const c = server.client();
    const responses = [
      await c.get('/healthz'),
      await c.get('/readyz'),
      await c.get('/api/articles'),
      await c.get(`/api/articles/${article.id}`),
      await c.get('/api/articles/999999'),
      await c.post('/api/articles', { json: { article: { title: 'x' } } }),
      await c.post('/api/articles', { key: author.key, json: {} }),
      await c.post('/api/articles', {
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      await c.get('/api/no/such/thing'),
      await c.get('/'),
      await c.get('/enter'),
      await c.get('/no/such/page/here'),
      await c.get(STYLESHEET_PATH),
    ];
    const ids = new Set<string>();
    for (const res of responses) {
      const id = res.headers.get('x-request-id');
      assert.ok(id && id.length > 0, `status ${res.status} has no x-request-id`);
      assert.match(id, /^[A-Za-z0-9._:-]{1,128}$/);
      ids.add(id);
    }
    assert.equal(ids.size, responses.length, 'each request gets its own id');
  });

  test('a well-formed incoming x-request-id is echoed back', async () => {
    const given = 'trace-01HZY.abc:42_x';
    const res = await server.client().get('/api/articles', { headers: { 'x-request-id': given } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), given);
    const onError = await server
      .client()
      .get('/api/articles/999999', { headers: { 'x-request-id': 'err-7' } });
    assert.equal(onError.status, 404);
    assert.equal(onError.headers.get('x-request-id'), 'err-7');
  });

  for (const [what, given] of [
    ['300 characters long', 'r'.repeat(300)],
    ['with spaces', 'two words'],
    ['with a quote and a bracket', 'id"<script>'],
  ] as const) {
    test(`a malformed incoming x-request-id (${what}) is replaced`, async () => {
      const res = await server.client().get('/healthz', { headers: { 'x-request-id': given } });
      assert.equal(res.status, 200);
      const id = res.headers.get('x-request-id');
      assert.ok(id, 'a replacement id is sent');
      assert.notEqual(id, given);
      assert.match(id, /^[A-Za-z0-9._:-]{1,128}$/);
    });
  }
});

describe('not found', () => {
  for (const path of ['/api/nope', '/api/no/such/thing', '/api/articles/1/2/3']) {
    test(`GET ${path} answers a 404 JSON problem`, async () => {
      const res = await server.client().get(path, { headers: { accept: 'text/html' } });
      assertProblem(res, { status: 404, code: 'not_found' });
    });
  }

  for (const path of ['/no_such_user', '/no/such/page/at/all', '/platform_author/no-such-slug']) {
    test(`GET ${path} answers an HTML 404 page in the layout`, async () => {
      const res = await server.client().get(path, { headers: { accept: 'text/html' } });
      assertHtmlPage(res, 404);
      assert.doesNotMatch(res.text, /"type":"urn:quire/);
    });
  }
});

describe('URLs the router cannot read', () => {
  test("a broken %-encoding under /api/ is a 400 problem, not Fastify's own body", async () => {
    const res = await server.client().get('/api/articles/%E0%A4%A');
    const body = assertProblem(res, { status: 400, code: 'bad_request' });
    assert.equal(body.detail, 'The URL has a broken %-encoding');
  });

  test('a path parameter over the length limit under /api/ is a 414 problem', async () => {
    const res = await server.client().get(`/api/articles/${'x'.repeat(400)}`);
    const body = assertProblem(res, { status: 414, code: 'bad_request' });
    assert.equal(body.detail, 'A part of the URL is too long');
  });

  test('a broken %-encoding in a page URL is an HTML 400 page', async () => {
    const res = await server.client().get('/%E0%A4%A', { headers: { accept: 'text/html' } });
    assertHtmlPage(res, 400);
  });
});

describe('rate limits', () => {
  let limited: TestServer;
  before(async () => {
    limited = await startTestServer({
      env: { QUIRE_WRITE_RATE_LIMIT: '2', QUIRE_API_RATE_LIMIT: '5' },
    });
  });
  after(() => limited.close());

  function assertRateLimited(res: Response) {
    const body = assertProblem(res, { status: 429, code: 'rate_limited' });
    const retry = res.headers.get('retry-after');
    assert.ok(retry, 'Retry-After is sent');
    assert.match(retry, /^\d+$/, 'Retry-After is whole seconds');
    assert.ok(Number(retry) > 0 && Number(retry) <= 60, `Retry-After ${retry}`);
    assert.ok(res.headers.get('x-request-id'));
    return body;
  }

  test('the 3rd write within a minute answers 429, per key', async () => {
    await makeAuthor(limited, 'limit_admin');
    const writer = await makeAuthor(limited, 'limit_writer');
    const other = await makeAuthor(limited, 'limit_other');
    const c = limited.client();
    const post = (key: string, n: number) =>
      c.post('/api/articles', { key, json: { article: { title: `Post ${n}` } } });
    assert.equal((await post(writer.key, 1)).status, 201);
    assert.equal((await post(writer.key, 2)).status, 201);
    const third = await post(writer.key, 3);
    assertRateLimited(third);
    const count = await limited.ctx.database.db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 2, 'the refused write stored nothing');
    assert.equal((await post(other.key, 1)).status, 201, 'another key has its own budget');
    const read = await c.get('/api/articles/me/all', { key: writer.key });
    assert.equal(read.status, 200, 'reads are not writes');
  });

  test('the 6th API request within a minute answers 429, per client', async () => {
    const reader = await makeAuthor(limited, 'limit_reader');
    const c = limited.client();
    for (let i = 1; i <= 5; i++) {
      const res = await c.get('/api/articles');
      assert.equal(res.status, 200, `request ${i}`);
    }
    const sixth = await c.get('/api/articles');
    assertRateLimited(sixth);
    const withKey = await c.get('/api/articles', { key: reader.key });
    assert.equal(withKey.status, 200, 'a request with an API key is counted under that key');
    const page = await c.get('/', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200, 'web pages are not under the API limit');
  });
});

describe('route schemas', () => {
  test('wait for their route, and all of them compile', () => {
    // Compiled on first use, so a schema Ajv or fast-json-stringify refuses would otherwise
    // show only when its route is first asked.
    const compiled = server.app.compileSchemas();
    assert.ok(compiled > 50, `${compiled} schemas were waiting`);
    assert.equal(server.app.compileSchemas(), 0);
  });

  test('a validator compiled on first use reports why the input failed', async () => {
    const res = await server.client().get('/api/articles?per_page=abc');
    assertProblem(res, { status: 422, code: 'validation_failed', field: 'per_page' });
  });
});

describe('OpenAPI document', () => {
  let doc: any;
  before(async () => {
    const res = await server.client().get('/api/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = res.json();
  });

  /** Follows a local `$ref` (`#/components/...`) to what it names. */
  const deref = (node: any): any => {
    let current = node;
    for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
      assert.ok(hops < 20, 'a $ref cycle');
      const ref: string = current.$ref;
      assert.match(ref, /^#\//, `only local refs are expected: ${ref}`);
      current = ref
        .slice(2)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((n: any, key) => n?.[key], doc);
      assert.ok(current !== undefined, `${ref} resolves`);
    }
    return current;
  };

  test('is OpenAPI 3.1 with info and servers', () => {
    assert.equal(typeof doc.openapi, 'string');
    assert.ok(doc.openapi.startsWith('3.1'), doc.openapi);
    assert.equal(typeof doc.info?.title, 'string');
    assert.equal(typeof doc.info?.version, 'string');
    assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0);
    assert.equal(doc.servers[0].url, server.url);
    assert.equal(typeof doc.paths, 'object');
  });

  test('documents the Forem API paths and operations', () => {
    const expected: Record<string, string[]> = {
      '/api/articles': ['get', 'post'],
      '/api/articles/{id}': ['get', 'put', 'delete'],
      '/api/articles/{username}/{slug}': ['get'],
      '/api/articles/latest': ['get'],
      '/api/articles/me/all': ['get'],
      '/api/users/me': ['get'],
      '/api/users/{id}': ['get'],
      '/api/tags': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      assert.ok(doc.paths[path], `${path} is documented`);
      for (const method of methods) assert.ok(doc.paths[path][method], `${method} ${path}`);
    }
  });

  test('declares the api-key header security scheme, used by write operations', () => {
    const schemes = doc.components?.securitySchemes ?? {};
    const entry = Object.entries(schemes).find(
      ([, s]: [string, any]) => s.type === 'apiKey' && s.in === 'header' && s.name === 'api-key',
    );
    assert.ok(entry, 'a securitySchemes entry for the api-key header');
    const name = entry[0];
    for (const [path, method] of [
      ['/api/articles', 'post'],
      ['/api/articles/{id}', 'put'],
      ['/api/articles/{id}', 'delete'],
      ['/api/articles/me/all', 'get'],
      ['/api/users/me', 'get'],
    ] as const) {
      const security: Array<Record<string, unknown>> = doc.paths[path][method].security ?? [];
      assert.ok(
        security.some((s) => name in s),
        `${method} ${path} accepts the ${name} scheme`,
      );
    }
  });

  test('error answers are documented as application/problem+json, as they are sent', () => {
    const responses = doc.paths['/api/articles/{id}'].get.responses;
    for (const code of ['4XX', '5XX']) {
      assert.deepEqual(Object.keys(responses[code].content), ['application/problem+json'], code);
      const schema = deref(responses[code].content['application/problem+json'].schema);
      assert.deepEqual(Object.keys(schema.properties).sort(), [
        'detail',
        'error',
        'errors',
        'status',
        'title',
        'type',
      ]);
    }
    assert.deepEqual(Object.keys(responses['200'].content), ['application/json']);
  });

  test('GET /api/articles/{id} documents a response with body_html', () => {
    const ok = doc.paths['/api/articles/{id}'].get.responses?.['200'];
    assert.ok(ok, 'a 200 response');
    const schema = deref(deref(ok).content?.['application/json']?.schema);
    assert.ok(schema, 'a JSON schema for the 200 response');
    assert.equal(deref(schema.properties?.body_html)?.type, 'string');
    assert.ok(schema.properties?.body_markdown, 'body_markdown too');
  });

  test('web pages, health checks and the document itself are not in it', () => {
    for (const path of ['/', '/enter', '/signup', '/setup', '/{username}', '/healthz', '/readyz']) {
      assert.equal(doc.paths[path], undefined, `${path} is not part of the API`);
    }
    for (const path of Object.keys(doc.paths)) {
      assert.match(path, /^\/api\//, `${path} is an API path`);
    }
  });

  test('is structurally sound: operations, path parameters, responses and refs', () => {
    const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
    const operationIds = new Set<string>();
    const schemeNames = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
    let operations = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      assert.match(path, /^\/[^\s?#]*$/, `a path template: ${path}`);
      assert.doesNotMatch(path, /\/:/, `${path} uses {param}, not :param`);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries<any>(item)) {
        if (method === 'parameters' || method === 'summary' || method === 'description') continue;
        assert.ok(METHODS.includes(method), `${method} on ${path} is an HTTP method`);
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        if (op.operationId !== undefined) {
          assert.ok(!operationIds.has(op.operationId), `${where}: unique operationId`);
          operationIds.add(op.operationId);
        }
        const params: any[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref);
        for (const p of params) {
          assert.ok(['path', 'query', 'header', 'cookie'].includes(p.in), `${where}: ${p.in}`);
          assert.equal(typeof p.name, 'string', where);
          assert.ok(p.schema || p.content, `${where}: parameter ${p.name} has a schema`);
        }
        const pathParams = params.filter((p) => p.in === 'path');
        assert.deepEqual(
          pathParams.map((p) => p.name).sort(),
          [...templated].sort(),
          `${where}: path parameters match the template`,
        );
        for (const p of pathParams) assert.equal(p.required, true, `${where}: ${p.name} required`);
        assert.ok(
          op.responses && Object.keys(op.responses).length > 0,
          `${where} documents responses`,
        );
        for (const [code, response] of Object.entries<any>(op.responses)) {
          assert.match(code, /^([1-5]\d\d|[1-5]XX|default)$/, `${where}: response ${code}`);
          assert.equal(typeof deref(response).description, 'string', `${where} ${code}`);
        }
        for (const requirement of op.security ?? []) {
          for (const scheme of Object.keys(requirement)) {
            assert.ok(schemeNames.has(scheme), `${where}: scheme ${scheme} is declared`);
          }
        }
      }
    }
    assert.ok(operations >= 10, `${operations} operations`);
    // Every $ref anywhere in the document resolves.
    const visit = (node: unknown) => {
      if (Array.isArray(node)) for (const n of node) visit(n);
      else if (node && typeof node === 'object') {
        if (typeof (node as { $ref?: unknown }).$ref === 'string') deref(node);
        for (const value of Object.values(node)) visit(value);
      }
    };
    visit(doc);
  });
});

describe('content negotiation', () => {
  test("GET /api/articles with Forem's V1 Accept header answers 200 JSON", async () => {
    const res = await server
      .client()
      .get('/api/articles', { headers: { accept: 'application/vnd.forem.api-v1+json' } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(res.json().some((a: { id: number }) => a.id === article.id));
  });

  test('GET /api/articles with no Accept header answers 200 JSON', async () => {
    const res = await getWithoutAccept(`${server.url}/api/articles`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(res.json().some((a: { id: number }) => a.id === article.id));
  });

  test('GET /api/articles/{id} with the V1 Accept header answers the article', async () => {
    const res = await server.client().get(`/api/articles/${article.id}`, {
      headers: { accept: 'application/vnd.forem.api-v1+json' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.json().slug, article.slug);
  });
});

describe('security headers', () => {
  const check = (res: Response) => {
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const policy = res.headers.get('referrer-policy');
    assert.ok(policy, 'referrer-policy is set');
    assert.match(
      policy,
      /^(no-referrer|no-referrer-when-downgrade|origin|origin-when-cross-origin|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
    );
  };

  test('on an HTML page', async () => {
    const res = await server.client().get('/', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    check(res);
  });

  test('on a JSON response', async () => {
    const res = await server.client().get('/api/articles');
    assert.equal(res.status, 200);
    check(res);
  });

  test('on JSON and HTML error answers', async () => {
    check(await server.client().get('/api/articles/999999'));
    check(await server.client().get('/no/such/page/at/all'));
    check(await server.client().post('/api/articles', { json: {} }));
  });
});
