/** Configuration from the environment: defaults, database URLs, and readable refusals. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import {
  ConfigError,
  DEFAULT_RETRY_SCHEDULE,
  DEFAULT_SQLITE_READERS,
  loadConfig,
  parseDatabaseUrl,
} from '../src/config.ts';
import { openContext } from '../src/context.ts';

test('defaults: port 3000 on 127.0.0.1, SQLite under ./data', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.deepEqual(config.database, { kind: 'sqlite', path: resolve('data/quire.db') });
  assert.equal(config.baseUrl, 'http://localhost:3000');
  assert.equal(config.siteName, 'Quire');
});

test('DATABASE_URL takes sqlite:<path>, postgres:// and postgresql://', () => {
  assert.deepEqual(parseDatabaseUrl('sqlite:/tmp/x.db'), { kind: 'sqlite', path: '/tmp/x.db' });
  assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { kind: 'sqlite', path: ':memory:' });
  assert.equal(parseDatabaseUrl('postgres://u@h/db').kind, 'postgres');
  assert.equal(parseDatabaseUrl('postgresql://u@h:5433/db').kind, 'postgres');
  for (const bad of ['mysql://h/db', 'sqlite:', 'quire.db', 'postgres://[bad']) {
    assert.throws(() => parseDatabaseUrl(bad), ConfigError, bad);
  }
});

test('values are checked and refused with a message naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: '70000' }, /^PORT must be a whole number/],
    [{ PORT: '3.5' }, /^PORT must be/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ QUIRE_BASE_URL: 'ftp://example.com' }, /^QUIRE_BASE_URL must be http or https/],
    [{ QUIRE_BASE_URL: 'not a url' }, /^QUIRE_BASE_URL must be an absolute/],
    [{ QUIRE_SECRET: 'short' }, /^QUIRE_SECRET must be at least 32/],
    [{ DATABASE_URL: 'postgres://h/db' }, /^QUIRE_SECRET is required with PostgreSQL/],
    [{ QUIRE_WRITE_RATE_LIMIT: '0' }, /^QUIRE_WRITE_RATE_LIMIT must be/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  }
});

test('QUIRE_BASE_URL loses its trailing slash', () => {
  assert.equal(
    loadConfig({ QUIRE_BASE_URL: 'https://blog.example.com/' }).baseUrl,
    'https://blog.example.com',
  );
});

test('QUIRE_TRUSTED_PROXIES takes addresses and CIDR ranges, and refuses anything else', () => {
  assert.deepEqual(loadConfig({}).trustedProxies, []);
  assert.deepEqual(
    loadConfig({ QUIRE_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustedProxies,
    ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'],
  );
  for (const bad of ['proxy.local', '10.0.0.0/33', '::1/129', '10.0.0.1/x', '1.2.3.4,,']) {
    assert.throws(
      () => loadConfig({ QUIRE_TRUSTED_PROXIES: bad }),
      /^ConfigError: QUIRE_TRUSTED_PROXIES must be/,
      bad,
    );
  }
});

test('QUIRE_REQUEST_TIMEOUT and QUIRE_SHUTDOWN_TIMEOUT: 30 s and 10 s, whole seconds from 1', () => {
  const config = loadConfig({});
  assert.equal(config.requestTimeout, 30);
  assert.equal(config.shutdownTimeout, 10);
  const set = loadConfig({ QUIRE_REQUEST_TIMEOUT: '5', QUIRE_SHUTDOWN_TIMEOUT: '25' });
  assert.equal(set.requestTimeout, 5);
  assert.equal(set.shutdownTimeout, 25);
  for (const name of ['QUIRE_REQUEST_TIMEOUT', 'QUIRE_SHUTDOWN_TIMEOUT']) {
    for (const bad of ['0', '-1', '1.5', 'ten', '3601']) {
      assert.throws(
        () => loadConfig({ [name]: bad }),
        { name: 'ConfigError', message: new RegExp(`^${name} must be a whole number`) },
        `${name}=${bad}`,
      );
    }
  }
});

test('QUIRE_SQLITE_READERS: a thread per core, 2 to 8, 0 to turn off; QUIRE_SQLITE_READ_QUEUE: 1000', () => {
  const config = loadConfig({});
  assert.equal(config.sqliteReaders, DEFAULT_SQLITE_READERS);
  assert.ok(DEFAULT_SQLITE_READERS >= 2 && DEFAULT_SQLITE_READERS <= 8);
  assert.equal(config.sqliteReadQueue, 1000);
  const set = loadConfig({ QUIRE_SQLITE_READERS: '0', QUIRE_SQLITE_READ_QUEUE: '100' });
  assert.equal(set.sqliteReaders, 0);
  assert.equal(set.sqliteReadQueue, 100);
  const bad: Array<[string, string]> = [
    ['QUIRE_SQLITE_READERS', '-1'],
    ['QUIRE_SQLITE_READERS', '65'],
    ['QUIRE_SQLITE_READERS', 'two'],
    ['QUIRE_SQLITE_READ_QUEUE', '99'],
  ];
  for (const [name, value] of bad) {
    assert.throws(
      () => loadConfig({ [name]: value }),
      { name: 'ConfigError', message: new RegExp(`^${name} must be a whole number`) },
      `${name}=${value}`,
    );
  }
});

test('QUIRE_METRICS_ALLOW takes addresses and CIDR ranges, and refuses anything else', () => {
  assert.deepEqual(loadConfig({}).metricsAllow, []);
  assert.deepEqual(
    loadConfig({ QUIRE_METRICS_ALLOW: '10.1.2.3, 192.168.0.0/16,fd00::/8' }).metricsAllow,
    ['10.1.2.3', '192.168.0.0/16', 'fd00::/8'],
  );
  for (const bad of [
    'prometheus.internal',
    '10.0.0.0/33',
    'fd00::/200',
    '10.0.0.0/',
    '1.2.3.4,,',
  ]) {
    assert.throws(
      () => loadConfig({ QUIRE_METRICS_ALLOW: bad }),
      /^ConfigError: QUIRE_METRICS_ALLOW must be IP addresses or CIDR ranges/,
      bad,
    );
  }
});

test('QUIRE_METRICS_TOKEN is unset by default, and at least 16 visible characters when set', () => {
  assert.equal(loadConfig({}).metricsToken, undefined);
  assert.equal(loadConfig({ QUIRE_METRICS_TOKEN: '' }).metricsToken, undefined);
  const token = 'scrape-me-0123456789abcdef';
  assert.equal(loadConfig({ QUIRE_METRICS_TOKEN: token }).metricsToken, token);
  for (const bad of ['short-token', 'sixteen chars with spaces', `tab\tinside-0123456789`]) {
    assert.throws(
      () => loadConfig({ QUIRE_METRICS_TOKEN: bad }),
      /^ConfigError: QUIRE_METRICS_TOKEN must be 16 to 512 visible ASCII characters/,
      bad,
    );
  }
});

test('delivery settings: neutral names, with the old webhook names read as deprecated aliases', () => {
  const defaults = loadConfig({});
  assert.deepEqual(defaults.deliveryRetrySchedule, DEFAULT_RETRY_SCHEDULE);
  assert.equal(defaults.deliveryTimeout, 15);
  assert.equal(defaults.deliveryConcurrency, 4);
  assert.deepEqual(defaults.warnings, []);

  const neutral = loadConfig({
    QUIRE_DELIVERY_RETRY_SCHEDULE: '0,10,20',
    QUIRE_DELIVERY_TIMEOUT: '7',
    QUIRE_DELIVERY_CONCURRENCY: '2',
  });
  assert.deepEqual(neutral.deliveryRetrySchedule, [0, 10, 20]);
  assert.equal(neutral.deliveryTimeout, 7);
  assert.equal(neutral.deliveryConcurrency, 2);
  assert.deepEqual(neutral.warnings, []);

  const old = loadConfig({
    QUIRE_WEBHOOK_RETRY_SCHEDULE: '0,30',
    QUIRE_WEBHOOK_TIMEOUT: '9',
    QUIRE_WEBHOOK_CONCURRENCY: '3',
  });
  assert.deepEqual(old.deliveryRetrySchedule, [0, 30]);
  assert.equal(old.deliveryTimeout, 9);
  assert.equal(old.deliveryConcurrency, 3);
  assert.deepEqual(old.warnings, [
    'QUIRE_WEBHOOK_TIMEOUT is deprecated: rename it QUIRE_DELIVERY_TIMEOUT (it applies to WebSub deliveries too)',
    'QUIRE_WEBHOOK_RETRY_SCHEDULE is deprecated: rename it QUIRE_DELIVERY_RETRY_SCHEDULE (it applies to WebSub deliveries too)',
    'QUIRE_WEBHOOK_CONCURRENCY is deprecated: rename it QUIRE_DELIVERY_CONCURRENCY (it applies to WebSub deliveries too)',
  ]);
  // QUIRE_WEBHOOK_DISABLE_AFTER is about webhook endpoints alone, and keeps its name.
  assert.equal(loadConfig({ QUIRE_WEBHOOK_DISABLE_AFTER: '600' }).webhookDisableAfter, 600);
  assert.deepEqual(loadConfig({ QUIRE_WEBHOOK_DISABLE_AFTER: '600' }).warnings, []);
});

test('an old delivery name set beside its new one is refused; a bad old value is named as set', () => {
  for (const [old, name, value] of [
    ['QUIRE_WEBHOOK_RETRY_SCHEDULE', 'QUIRE_DELIVERY_RETRY_SCHEDULE', '0,5'],
    ['QUIRE_WEBHOOK_TIMEOUT', 'QUIRE_DELIVERY_TIMEOUT', '5'],
    ['QUIRE_WEBHOOK_CONCURRENCY', 'QUIRE_DELIVERY_CONCURRENCY', '2'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [old]: value, [name]: value }),
      {
        name: 'ConfigError',
        message: `${old} and ${name} are both set: ${old} is the old name; keep ${name}`,
      },
      old,
    );
    // Empty counts as unset, as everywhere else.
    assert.doesNotThrow(() => loadConfig({ [old]: '', [name]: value }), old);
  }
  assert.throws(() => loadConfig({ QUIRE_WEBHOOK_TIMEOUT: 'soon' }), {
    name: 'ConfigError',
    message: /^QUIRE_WEBHOOK_TIMEOUT must be a whole number from 1 to 300/,
  });
  assert.throws(() => loadConfig({ QUIRE_WEBHOOK_TIMEOUT: '60' }), {
    name: 'ConfigError',
    message: /^QUIRE_DELIVERY_LEASE \(60 s\) must be longer than QUIRE_WEBHOOK_TIMEOUT \(60 s\)/,
  });
  assert.throws(() => loadConfig({ QUIRE_DELIVERY_TIMEOUT: '60' }), {
    name: 'ConfigError',
    message: /^QUIRE_DELIVERY_LEASE \(60 s\) must be longer than QUIRE_DELIVERY_TIMEOUT \(60 s\)/,
  });
});

test('QUIRE_FEED_POLL_TICK is still accepted, has no effect, and is warned about', () => {
  assert.deepEqual(loadConfig({}).warnings, []);
  for (const value of ['30', '0', 'anything']) {
    const config = loadConfig({ QUIRE_FEED_POLL_TICK: value });
    assert.ok(!('feedPollTick' in config));
    assert.deepEqual(config.warnings, [
      'QUIRE_FEED_POLL_TICK has no effect any more: the dispatcher polls each feed source when it is due (QUIRE_DISPATCHER=0 keeps a node from polling)',
    ]);
  }
});

test('each warning is logged once when a context opens', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    QUIRE_WEBHOOK_TIMEOUT: '5',
    QUIRE_FEED_POLL_TICK: '30',
  });
  const ctx = await openContext(config, { logger });
  await ctx.database.close();
  const warned = lines
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((l) => l.level === 40)
    .map((l) => l.msg);
  assert.deepEqual(warned, config.warnings);
  assert.equal(warned.length, 2);
});

test('QUIRE_COUNT_LAG: seconds lists may show old counts, 30 unless set', () => {
  assert.equal(loadConfig({}).countLag, 30);
  assert.equal(loadConfig({ QUIRE_COUNT_LAG: '0' }).countLag, 0);
  assert.throws(() => loadConfig({ QUIRE_COUNT_LAG: '-1' }), /QUIRE_COUNT_LAG/);
  assert.throws(() => loadConfig({ QUIRE_COUNT_LAG: '5000' }), /QUIRE_COUNT_LAG/);
});

test('shared caches: QUIRE_CACHE_MB, QUIRE_PURGE_URLS and QUIRE_SHARED_MAX_AGE', () => {
  const plain = loadConfig({});
  assert.equal(plain.cacheMb, 64);
  assert.deepEqual(plain.purgeUrls, []);
  assert.equal(plain.sharedMaxAge, 60, 'without purging, shared caches keep answers a minute');
  const purged = loadConfig({
    QUIRE_PURGE_URLS: 'http://127.0.0.1:6081/, https://cache.example/purge',
  });
  assert.deepEqual(purged.purgeUrls, ['http://127.0.0.1:6081/', 'https://cache.example/purge']);
  assert.equal(purged.sharedMaxAge, 86_400, 'purged on every change, they may keep them a day');
  assert.equal(loadConfig({ QUIRE_SHARED_MAX_AGE: '600' }).sharedMaxAge, 600);
  for (const bad of ['varnish:6081', 'ftp://cache.example/', 'http://']) {
    assert.throws(() => loadConfig({ QUIRE_PURGE_URLS: bad }), {
      name: 'ConfigError',
      message: new RegExp(`QUIRE_PURGE_URLS: .* is not an http\\(s\\) URL`),
    });
  }
  assert.throws(() => loadConfig({ QUIRE_CACHE_MB: '0' }), /QUIRE_CACHE_MB/);
});

test('QUIRE_SEARCH_CACHE_MB: the budget of search answers, 16 MiB unless set, apart from pages', () => {
  assert.equal(loadConfig({}).searchCacheMb, 16);
  const set = loadConfig({ QUIRE_SEARCH_CACHE_MB: '4', QUIRE_CACHE_MB: '128' });
  assert.equal(set.searchCacheMb, 4);
  assert.equal(set.cacheMb, 128);
  assert.throws(() => loadConfig({ QUIRE_SEARCH_CACHE_MB: '0' }), /QUIRE_SEARCH_CACHE_MB/);
  assert.throws(() => loadConfig({ QUIRE_SEARCH_CACHE_MB: 'lots' }), /QUIRE_SEARCH_CACHE_MB/);
});

test('mail: QUIRE_SMTP_URL and QUIRE_MAIL_FROM', () => {
  const plain = loadConfig({ QUIRE_BASE_URL: 'https://blog.example:8443/' });
  assert.equal(plain.smtpUrl, undefined, 'no mail unless configured');
  assert.equal(plain.mailFrom, 'Quire <no-reply@blog.example>');
  const url = 'smtps://user:p%40ss@mail.example:465';
  assert.equal(loadConfig({ QUIRE_SMTP_URL: url }).smtpUrl, url);
  assert.equal(
    loadConfig({ QUIRE_SMTP_URL: 'smtp://127.0.0.1:2525' }).smtpUrl,
    'smtp://127.0.0.1:2525',
  );
  for (const bad of ['mail.example:587', 'http://mail.example', 'smtp://', 'smtp://user:secret@']) {
    assert.throws(
      () => loadConfig({ QUIRE_SMTP_URL: bad }),
      (error: Error) => {
        assert.equal(error.name, 'ConfigError');
        assert.match(error.message, /^QUIRE_SMTP_URL must be smtp:\/\//);
        assert.doesNotMatch(error.message, /secret/, 'the password is not repeated');
        return true;
      },
    );
  }
  const from = 'Blog Team <team@blog.example>';
  assert.equal(loadConfig({ QUIRE_MAIL_FROM: from }).mailFrom, from);
  assert.equal(loadConfig({ QUIRE_MAIL_FROM: 'team@blog.example' }).mailFrom, 'team@blog.example');
  for (const bad of [
    'team',
    'Team <team>',
    'a@b.example\r\nBcc: x@y.example',
    'Team <a@b> extra',
  ]) {
    assert.throws(() => loadConfig({ QUIRE_MAIL_FROM: bad }), {
      name: 'ConfigError',
      message: /^QUIRE_MAIL_FROM must be an address or "Name <address>"/,
    });
  }
});

test('QUIRE_FANOUT_BATCH: followers per fan-out transaction, 100 unless set, 10 to 10000', () => {
  assert.equal(loadConfig({}).fanoutBatch, 100);
  assert.equal(loadConfig({ QUIRE_FANOUT_BATCH: '10' }).fanoutBatch, 10);
  assert.equal(loadConfig({ QUIRE_FANOUT_BATCH: '10000' }).fanoutBatch, 10_000);
  assert.throws(() => loadConfig({ QUIRE_FANOUT_BATCH: '9' }), /QUIRE_FANOUT_BATCH/);
  assert.throws(() => loadConfig({ QUIRE_FANOUT_BATCH: '10001' }), /QUIRE_FANOUT_BATCH/);
});
