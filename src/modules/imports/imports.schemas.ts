/** Request and response schemas of feed import: they validate, serialize and document. */
import { type Static, Type } from 'typebox';
import { Nullable, NullableText, NullableTimestamp, Ref, Timestamp } from '../../http/schemas.ts';

const ImportFailure = Type.Object({
  item: Type.String({ description: "The item's title, link or guid" }),
  reason: Type.String(),
});

export const ImportSummary = Type.Object(
  {
    total: Type.Integer(),
    imported: Type.Integer(),
    skipped: Type.Integer({ description: 'Items imported before, which are not imported again' }),
    failed: Type.Array(ImportFailure),
  },
  { $id: 'ImportSummary', description: 'What an import did with the items of a feed' },
);
export type ImportSummary = Static<typeof ImportSummary>;

export const FeedSource = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String(),
    publish: Type.Boolean(),
    canonical: Type.Boolean(),
    interval_seconds: Type.Integer(),
    next_poll_at: Timestamp,
    last_polled_at: NullableTimestamp(),
    last_status: NullableText,
    last_error: NullableText,
    last_log: Nullable(Ref(ImportSummary)),
    created_at: Timestamp,
  },
  { $id: 'FeedSource', description: 'A feed that Quire polls for its author' },
);

const options = {
  publish: Type.Optional(Type.Boolean({ description: 'Publish the articles (default: drafts)' })),
  canonical: Type.Optional(Type.Boolean({ description: "Set canonical_url to each item's link" })),
};
const FeedUrl = Type.String({ minLength: 1, maxLength: 2048 });

export const FeedImportBody = Type.Object({ url: FeedUrl, ...options });

export const FeedSourceWrite = Type.Object({
  url: FeedUrl,
  ...options,
  interval_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86_400 })),
});

export const importComponents = [ImportSummary, FeedSource];
