/**
 * The rules of articles: who may see and change them, how a save renders and publishes, and
 * the events each change appends in its own transaction.
 */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import type { ArticleRow, UserRow } from '../../db/schema.ts';
import { nextScheduledPublication } from './listings.repository.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import {
  articleKey,
  HOME_KEY,
  SEARCH_KEY,
  seriesKey,
  TAG_LIST_KEY,
  tagKey,
  authorKey,
} from '../../events/cache-keys.ts';
import {
  appendEvents,
  type EventType,
  isWebhookEventType,
  type PendingEvent,
} from '../../events/outbox.ts';
import { type FrontMatterSplit, splitFrontMatter } from '../../render/front-matter.ts';
import { renderMarkdown } from '../../render/markdown.ts';
import { excerpt, readingTimeMinutes } from '../../render/text.ts';
import { assertMayWrite } from '../users/users.rules.ts';
import { findUserById, mentionedAccounts } from '../users/users.service.ts';
import { type ArticleChanges, type ArticleInput, parseArticleInput } from './article-input.ts';
import { articleShowJson, articleWithoutBodyJson } from './articles.presenter.ts';
import {
  addArticleTags,
  changeTagCounts,
  retagArticle,
  type TagCountChanges,
  untagArticle,
} from './article-tags.repository.ts';
import {
  deleteArticleRow,
  ensureSeries,
  findArticleById,
  insertArticles,
  lockArticle,
  updateArticleRow,
  writerForWrite,
} from './articles.repository.ts';
import { uniqueSlug, uniqueSlugs } from './slug.ts';

export { findArticleById, findArticleByPath } from './articles.repository.ts';

/** The public lists a page of the site or a feed shows. */
export { type Listed, listedByIds, listFeedPage, listPublicPage } from './listings.ts';

/** Where an article stands for its author, as the dashboard sorts it. */
export { type OwnState, ownState } from './listings.ts';

/** Tags by how many visible articles carry them, for the tags API. */
export { listTagsByPopularity, type TagCount } from './listings.repository.ts';

/** When the next scheduled article goes live (cached lists expire then), if one is waiting. */
export function nextScheduledAt(ctx: AppContext): Promise<Date | null> {
  return nextScheduledPublication(ctx.database.db, ctx.clock.now());
}

/** Published with a publication time that has come, given the values stored or about to be. */
function goesLive(published: boolean, publishedAt: string | null, now: Date): boolean {
  return published && publishedAt !== null && publishedAt <= now.toISOString();
}

/** Published, and its publication time has come. */
export function isVisible(
  article: Pick<ArticleRow, 'published' | 'published_at'>,
  now: Date,
): boolean {
  return goesLive(article.published === 1, article.published_at, now);
}

export function canManage(actor: UserRow | null, article: ArticleRow): boolean {
  return actor !== null && (actor.id === article.user_id || actor.role === 'admin');
}

export function canSee(viewer: UserRow | null, article: ArticleRow, now: Date): boolean {
  return isVisible(article, now) || canManage(viewer, article);
}

/** The article if the viewer may see it; otherwise it does not exist for them. */
export async function articleForViewer(
  ctx: AppContext,
  viewer: UserRow | null,
  article: ArticleRow | undefined,
) {
  if (!article || !canSee(viewer, article, ctx.clock.now())) throw notFound('not found');
  const author = await findUserById(ctx.database.db, article.user_id);
  if (!author) throw notFound('not found');
  return { article, author };
}

function rendered(content: string, mentions?: ReadonlySet<string>) {
  const r = renderMarkdown(content, { mentions });
  return {
    body_html: r.html,
    body_text: r.text,
    reading_time_minutes: readingTimeMinutes(r.text),
    lead: excerpt(r.leadText),
  };
}

/** The events of one change to an article, each carrying the article as the API shows it. */
function articleEvents(
  ctx: AppContext,
  types: EventType[],
  article: ArticleRow,
  author: UserRow,
  now: Date,
  keys: readonly string[],
): PendingEvent[] {
  const o = { baseUrl: ctx.config.baseUrl, now };
  // Webhooks get the whole article; a deleted one, and the events only caches hear of, are
  // written without the body (an import would otherwise store each body twice more).
  // One object per shape, so a change's events serialize it once.
  let whole: ReturnType<typeof articleShowJson> | undefined;
  let brief: ReturnType<typeof articleWithoutBodyJson> | undefined;
  return types.map((type) => ({
    type,
    subject: `article:${article.id}`,
    data:
      type === 'article.deleted' || !isWebhookEventType(type)
        ? (brief ??= articleWithoutBodyJson(article, author, o))
        : (whole ??= articleShowJson(article, author, o)),
    ownerId: author.id,
    keys,
  }));
}

const tagsOf = (article: ArticleRow) => article.cached_tag_list.split(', ').filter(Boolean);

/** The keys of every public list that holds (or held) the article in one of `states`. */
function listKeys(article: ArticleRow, states: Array<ArticleRow | null>): string[] {
  const keys = [HOME_KEY, authorKey(article.user_id), TAG_LIST_KEY];
  const present = states.filter((r): r is ArticleRow => r !== null);
  for (const tag of new Set(present.flatMap(tagsOf))) keys.push(tagKey(tag));
  for (const id of new Set(present.map((r) => r.series_id)))
    if (id !== null) keys.push(seriesKey(id));
  return keys;
}

/** The fields the full-text index holds (`db/full-text.ts`): what a search can match. */
const searchedChanged = (a: ArticleRow, b: ArticleRow) =>
  a.title !== b.title ||
  a.cached_tag_list !== b.cached_tag_list ||
  a.description !== b.description ||
  a.body_text !== b.body_text;

/**
 * The cache keys a change of an article touches (`before` null for a new article or one going
 * live, `after` null for a deleted one): its own, and the public lists it enters, leaves or
 * changes place in. A change no public list sees (a draft saved, a schedule set) names only the
 * article, so cached pages and feeds stay as they are. Search answers depend on which articles
 * can be found and by what, so a public article entering, leaving or moving, or changing text
 * a search reads, names `search` too, as does a schedule set or moved (like the lists, so that
 * they are built again with its time as their expiry); a count, a draft, or an edit of a
 * scheduled article's text does not.
 */
export function articleChangeKeys(
  before: ArticleRow | null,
  after: ArticleRow | null,
  now: Date,
): string[] {
  const row = (after ?? before) as ArticleRow;
  const keys = [articleKey(row.id)];
  const was = before !== null && isVisible(before, now) ? before : null;
  const is = after !== null && isVisible(after, now) ? after : null;
  const waiting = (r: ArticleRow | null) => r !== null && r.published === 1 && !isVisible(r, now);
  if (!was && !is) {
    // Scheduled (or no longer): the lists it will enter, and searches, are rebuilt now, so that
    // they expire when it goes live.
    if ((waiting(before) || waiting(after)) && before?.published_at !== after?.published_at)
      keys.push(...listKeys(row, [before, after]), SEARCH_KEY);
    return keys;
  }
  if (!was || !is || was.published_at !== is.published_at) {
    // In or out of the lists (or moved in them): every list holding it changes.
    keys.push(...listKeys(row, [was, is]), SEARCH_KEY);
    return keys;
  }
  // A search may now find it, or not, for other words; answers that show it have its key.
  if (searchedChanged(was, is)) keys.push(SEARCH_KEY);
  // Still listed in the same place: lists showing it depend on its own key already, so only
  // the lists of tags and series it joined or left change.
  const tagsBefore = tagsOf(was);
  const tagsAfter = tagsOf(is);
  const moved = [
    ...tagsBefore.filter((t) => !tagsAfter.includes(t)),
    ...tagsAfter.filter((t) => !tagsBefore.includes(t)),
  ];
  if (moved.length > 0) keys.push(TAG_LIST_KEY, ...moved.map(tagKey));
  for (const id of new Set([was.series_id, is.series_id]))
    if (was.series_id !== is.series_id && id !== null) keys.push(seriesKey(id));
  return keys;
}

/**
 * Writes an article's tags and moves the tags' counts by what the write reports. The outbox lock
 * (which the transaction takes anyway for its events, just after) is taken first: writers that
 * create the same new tags, or move the same counts, then take their turns instead of locking
 * tags in opposite orders.
 */
async function writeTags(tx: Tx, write: () => Promise<TagCountChanges>): Promise<void> {
  await tx.lockOutbox();
  await changeTagCounts(tx.db, await write());
}

/**
 * Refuses a write by an account suspended since the caller last read it. First in each article
 * write's transaction: the account's row is held until it commits, and a suspension changes that
 * row before it withholds the author's articles, so a write either lands before the suspension
 * (which then withholds it) or sees it (withholding.service.ts).
 */
async function stillMayWrite(ctx: AppContext, tx: Tx, actor: UserRow): Promise<void> {
  assertMayWrite((await writerForWrite(ctx.database, tx.db, actor.id)) ?? actor);
}

/** Appends an article's events of these types, in order. */
export function emit(
  ctx: AppContext,
  tx: Tx,
  types: EventType[],
  article: ArticleRow,
  author: UserRow,
  now: Date,
  keys: readonly string[],
) {
  return appendEvents(tx, articleEvents(ctx, types, article, author, now, keys), now);
}

/**
 * The event a change of publication state announces, if any. `article.published` is written
 * once per publication, when the article goes live: now, or later by the job in
 * announcements.ts for a scheduled one (`announced_at` records it).
 */
function publicationEvent(
  before: ArticleRow | null,
  after: ArticleRow,
  now: Date,
): EventType | null {
  const wasOn = before !== null && before.published === 1;
  if (isVisible(after, now)) return before?.announced_at ? null : 'article.published';
  if (after.published === 1 && !wasOn) return 'article.scheduled';
  if (after.published === 0 && wasOn) return 'article.unpublished';
  return null;
}

/** A new article, checked and rendered, ready to be inserted in any transaction. */
export interface PreparedArticle {
  changes: ArticleChanges & { title: string };
  body: { body_html: string; body_text: string; reading_time_minutes: number };
  lead: string;
}

/** Applies the rules to a new article; throws a 422 before anything is written. */
function checkNewArticle(
  input: ArticleInput,
  frontMatter?: FrontMatterSplit,
): PreparedArticle['changes'] {
  const changes = parseArticleInput(input, frontMatter);
  if (changes.title === undefined)
    throw validationFailed([{ field: 'title', message: "Title can't be blank" }]);
  return { ...changes, title: changes.title };
}

function renderNewArticle(
  changes: PreparedArticle['changes'],
  mentions?: ReadonlySet<string>,
): PreparedArticle {
  const { lead, ...body } = rendered(changes.content ?? '', mentions);
  return { changes, body, lead };
}

/**
 * Applies the rules and renders the Markdown, with no database at hand: @mentions stay text.
 * `frontMatter` is the body's front matter when the caller already has it (see parseArticleInput).
 */
export function prepareArticle(
  input: ArticleInput,
  frontMatter?: FrontMatterSplit,
): PreparedArticle {
  return renderNewArticle(checkNewArticle(input, frontMatter));
}

/** prepareArticle, with the @mentions of accounts that exist linked to their profiles. */
export async function prepareArticleLinked(
  ctx: AppContext,
  input: ArticleInput,
): Promise<PreparedArticle> {
  const changes = checkNewArticle(input);
  return renderNewArticle(changes, await mentionedAccounts(ctx, changes.content ?? ''));
}

/**
 * Inserts one author's prepared articles, in order, with their tags, series and events, inside
 * the caller's transaction: a few statements for the whole list rather than a few per article.
 * Lists of a few hundred at most keep each statement within both databases' parameter limits.
 */
export async function insertArticlesIn(
  ctx: AppContext,
  tx: Tx,
  author: UserRow,
  prepared: PreparedArticle[],
): Promise<ArticleRow[]> {
  if (prepared.length === 0) return [];
  await stillMayWrite(ctx, tx, author);
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const slugs = await uniqueSlugs(
    tx.db,
    author.id,
    prepared.map(({ changes }) => ({
      title: changes.title,
      published: changes.published ?? false,
    })),
  );
  const seriesIds = new Map<string, number>();
  for (const { changes } of prepared) {
    if (changes.series && !seriesIds.has(changes.series))
      seriesIds.set(changes.series, await ensureSeries(tx.db, author.id, changes.series, stamp));
  }
  const rows = await insertArticles(
    tx.db,
    prepared.map(({ changes, body, lead }, i) => {
      const published = changes.published ?? false;
      const publishedAt = published ? (changes.publishedAt ?? now).toISOString() : null;
      return {
        user_id: author.id,
        slug: slugs[i] as string,
        title: changes.title,
        description: changes.description ?? lead,
        description_auto: changes.description ? 0 : 1,
        body_markdown: changes.bodyMarkdown ?? '',
        ...body,
        cover_image: changes.coverImage ?? null,
        canonical_url: changes.canonicalUrl ?? null,
        series_id: changes.series ? (seriesIds.get(changes.series) ?? null) : null,
        published: published ? 1 : 0,
        published_at: publishedAt,
        announced_at: goesLive(published, publishedAt, now) ? stamp : null,
        cached_tag_list: (changes.tags ?? []).join(', '),
        created_at: stamp,
        edited_at: null,
        updated_at: stamp,
      };
    }),
  );
  await writeTags(tx, () =>
    addArticleTags(
      tx.db,
      rows.map((row, i) => ({ article: row, names: prepared[i]?.changes.tags ?? [] })),
      stamp,
    ),
  );
  const events = rows.flatMap((row) => {
    const published = publicationEvent(null, row, now);
    const types: EventType[] = published ? ['article.created', published] : ['article.created'];
    return articleEvents(ctx, types, row, author, now, articleChangeKeys(null, row, now));
  });
  await appendEvents(tx, events, now);
  return rows;
}

export async function createArticle(ctx: AppContext, author: UserRow, input: ArticleInput) {
  assertMayWrite(author);
  const prepared = await prepareArticleLinked(ctx, input);
  const [article] = await ctx.database.transaction((tx) =>
    insertArticlesIn(ctx, tx, author, [prepared]),
  );
  return { article: article as ArticleRow, author };
}

/** Loads an article for a change by `actor`: others' visible articles are forbidden, the rest unknown. */
async function articleToChange(ctx: AppContext, actor: UserRow, id: number): Promise<ArticleRow> {
  assertMayWrite(actor);
  const article = await findArticleById(ctx.database.db, id);
  if (!article) throw notFound('not found');
  if (!canManage(actor, article)) {
    if (isVisible(article, ctx.clock.now()))
      throw new AppError('forbidden', 'You may only change your own articles');
    throw notFound('not found');
  }
  return article;
}

export async function updateArticle(
  ctx: AppContext,
  actor: UserRow,
  id: number,
  input: ArticleInput,
) {
  const before = await articleToChange(ctx, actor, id);
  const changes = parseArticleInput(input);
  const author = (await findUserById(ctx.database.db, before.user_id)) as UserRow;
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const title = changes.title ?? before.title;
  const published = changes.published ?? before.published === 1;
  const body =
    changes.content !== undefined
      ? rendered(changes.content, await mentionedAccounts(ctx, changes.content))
      : null;
  let description = before.description;
  let descriptionAuto = before.description_auto;
  if (changes.description) {
    description = changes.description;
    descriptionAuto = 0;
  } else if (changes.description === null || (descriptionAuto === 1 && body)) {
    description = (body ?? rendered(splitFrontMatter(before.body_markdown).body)).lead;
    descriptionAuto = 1;
  }
  const firstPublish = published && before.published_at === null;
  // Set once, at the first publication, and never moved afterwards.
  const publishedAt =
    before.published_at ?? (published ? (changes.publishedAt ?? now).toISOString() : null);
  const article = await ctx.database.transaction(async (tx) => {
    await stillMayWrite(ctx, tx, actor);
    const row = await updateArticleRow(tx.db, before.id, {
      title,
      slug: firstPublish ? await uniqueSlug(tx.db, before.user_id, title, true) : before.slug,
      description,
      description_auto: descriptionAuto,
      ...(body && {
        body_markdown: changes.bodyMarkdown,
        body_html: body.body_html,
        body_text: body.body_text,
        reading_time_minutes: body.reading_time_minutes,
      }),
      ...(changes.coverImage !== undefined && { cover_image: changes.coverImage }),
      ...(changes.canonicalUrl !== undefined && { canonical_url: changes.canonicalUrl }),
      ...(changes.series !== undefined && {
        series_id: changes.series
          ? await ensureSeries(tx.db, before.user_id, changes.series, stamp)
          : null,
      }),
      ...(changes.tags !== undefined && { cached_tag_list: changes.tags.join(', ') }),
      published: published ? 1 : 0,
      published_at: publishedAt,
      announced_at: goesLive(published, publishedAt, now) ? (before.announced_at ?? stamp) : null,
      edited_at: isVisible(before, now) ? stamp : before.edited_at,
      updated_at: stamp,
    });
    // Always written again: the tag rows copy the publication state as this transaction stored
    // it, which may differ from `before`, read outside it.
    await writeTags(tx, () => retagArticle(tx.db, row, changes.tags, stamp));
    const event = publicationEvent(before, row, now);
    const types: EventType[] = event ? ['article.updated', event] : ['article.updated'];
    await emit(ctx, tx, types, row, author, now, articleChangeKeys(before, row, now));
    return row;
  });
  return { article, author };
}

export async function deleteArticle(ctx: AppContext, actor: UserRow, id: number): Promise<void> {
  const article = await articleToChange(ctx, actor, id);
  const author = (await findUserById(ctx.database.db, article.user_id)) as UserRow;
  const now = ctx.clock.now();
  await ctx.database.transaction(async (tx) => {
    await stillMayWrite(ctx, tx, actor);
    await lockArticle(ctx.database, tx.db, article.id);
    await writeTags(tx, () => untagArticle(tx.db, article.id));
    await deleteArticleRow(tx.db, article.id);
    const keys = articleChangeKeys(article, null, now);
    await emit(ctx, tx, ['article.deleted'], article, author, now, keys);
  });
}
