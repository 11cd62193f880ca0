/** `quire import` and `quire feeds ...`: feed import from the command line. */
import type { FeedSourceRow } from '../../db/schema.ts';
import type { ImportSummary } from '../../modules/imports/imports.schemas.ts';
import { type Command, UsageError, userNamed, withContext } from '../command.ts';

// Loaded when a command runs, so the command line starts without the feed and import code.
const sources = () => import('../../modules/imports/feed-sources.service.ts');
const importing = async () => ({
  ...(await import('../../modules/imports/feed-loader.ts')),
  ...(await import('../../modules/imports/import-errors.ts')),
  ...(await import('../../modules/imports/import.service.ts')),
});

/** A bar on a terminal; on a pipe or file, a line at each fifth of a big feed. */
async function progress(): Promise<{
  update: (done: number, total: number) => void;
  stop: () => void;
}> {
  if (process.stderr.isTTY) {
    const { SingleBar } = await import('cli-progress');
    const bar = new SingleBar({
      stream: process.stderr,
      format: 'Importing [{bar}] {value}/{total} items',
      hideCursor: true,
    });
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let shown = 0;
  return {
    update(done, total) {
      if (total < 500) return;
      const fifth = Math.floor((done / total) * 5);
      if (fifth > shown) {
        shown = fifth;
        process.stderr.write(`Imported ${done}/${total} items\n`);
      }
    },
    stop() {},
  };
}

export function printSummary(summary: ImportSummary): void {
  console.log(
    `Imported ${summary.imported}, skipped ${summary.skipped} as duplicates, failed ${summary.failed.length} (of ${summary.total} items).`,
  );
  for (const f of summary.failed) console.log(`  failed: ${f.item}: ${f.reason}`);
}

function describe(s: FeedSourceRow): string {
  const flags = [s.publish ? 'publish' : 'drafts', s.canonical ? 'canonical' : null]
    .filter(Boolean)
    .join(', ');
  const last = s.last_polled_at
    ? `last polled ${s.last_polled_at} (${s.last_status}${s.last_error ? `: ${s.last_error}` : ''})`
    : 'never polled';
  return `${s.id}\t${s.url}\tevery ${s.interval_seconds} s, ${flags}; ${last}`;
}

const sourceId = (raw: unknown): number => {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1)
    throw new UsageError(`--id must be a positive whole number, got "${String(raw)}"`);
  return id;
};

export const importCommands: Record<string, Command> = {
  import: {
    usage: 'quire import <url-or-file> --username U [--publish] [--canonical]',
    summary: 'Import a feed (RSS, Atom, RDF, JSON Feed, or a page that links one) into an account.',
    positionals: ['url-or-file'],
    options: {
      username: { type: 'string', description: 'the account the articles go to', required: true },
      publish: { type: 'boolean', description: 'publish the articles (default: drafts)' },
      canonical: {
        type: 'boolean',
        description: "set each article's canonical URL to the item's link",
      },
    },
    async run(v, [source = '']) {
      const { loadFeed, importError, importFeed } = await importing();
      const bar = await progress();
      try {
        const summary = await withContext(async (ctx) => {
          const user = await userNamed(ctx, v.username);
          const loaded = await loadFeed(ctx, source);
          if (loaded.kind !== 'feed')
            throw new UsageError('the server answered 304 Not Modified to a plain request');
          return importFeed(ctx, user, loaded.feed, {
            publish: v.publish === true,
            canonical: v.canonical === true,
            // A file (no URL) is known by the feed's own home link instead.
            feedUrl: loaded.url === null ? null : source,
            onProgress: bar.update,
          });
        });
        bar.stop();
        printSummary(summary);
      } catch (error) {
        bar.stop();
        throw importError(error);
      }
    },
  },
  'feeds add': {
    usage: 'quire feeds add --username U --url URL [--publish] [--canonical] [--every SECONDS]',
    summary: 'Save a feed source that the server polls on a schedule.',
    options: {
      username: { type: 'string', description: 'the account the articles go to', required: true },
      url: { type: 'string', description: 'the feed (or a page that links it)', required: true },
      publish: { type: 'boolean', description: 'publish the articles (default: drafts)' },
      canonical: {
        type: 'boolean',
        description: "set each article's canonical URL to the item's link",
      },
      every: {
        type: 'string',
        description: 'seconds between polls (default QUIRE_FEED_POLL_INTERVAL)',
      },
    },
    async run(v) {
      const { addSource } = await sources();
      const row = await withContext(async (ctx) =>
        addSource(ctx, await userNamed(ctx, v.username), {
          url: String(v.url),
          publish: v.publish === true,
          canonical: v.canonical === true,
          ...(v.every !== undefined && { intervalSeconds: Number(v.every) }),
        }),
      );
      console.log(`Added feed source ${row.id}: ${row.url}`);
    },
  },
  'feeds list': {
    usage: 'quire feeds list --username U',
    summary: "List an account's feed sources.",
    options: { username: { type: 'string', description: 'the account', required: true } },
    async run(v) {
      const { listSources } = await sources();
      const rows = await withContext(async (ctx) =>
        listSources(ctx, await userNamed(ctx, v.username)),
      );
      if (rows.length === 0) console.log('No feed sources.');
      for (const row of rows) console.log(describe(row));
    },
  },
  'feeds remove': {
    usage: 'quire feeds remove --username U --id N',
    summary: 'Stop following a feed source (imported articles stay).',
    options: {
      username: { type: 'string', description: 'the account', required: true },
      id: { type: 'string', description: 'the source id from "quire feeds list"', required: true },
    },
    async run(v) {
      const id = sourceId(v.id);
      const { removeSource } = await sources();
      await withContext(async (ctx) => removeSource(ctx, await userNamed(ctx, v.username), id));
      console.log(`Removed feed source ${id}.`);
    },
  },
  'feeds poll': {
    usage: 'quire feeds poll [--id N]',
    summary: 'Poll one feed source now, or every source that is due.',
    options: { id: { type: 'string', description: 'poll this source even if it is not due' } },
    async run(v) {
      const { claimSource, pollClaimed, pollDueSources } = await sources();
      await withContext(async (ctx) => {
        if (v.id === undefined) {
          console.log(`Polled ${await pollDueSources(ctx)} due feed sources.`);
          return;
        }
        const claimed = await claimSource(ctx, sourceId(v.id));
        if (!claimed)
          throw new UsageError(
            `feed source ${String(v.id)} does not exist or is being polled right now`,
          );
        const result = await pollClaimed(ctx, claimed);
        if (result.summary) printSummary(result.summary);
        else
          console.log(
            result.status === 'not_modified'
              ? 'Not modified since the last poll.'
              : `Failed: ${result.error}`,
          );
      });
    },
  },
};
