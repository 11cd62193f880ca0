/** Request schemas of the feed routes. */
import { Type } from 'typebox';
import { UrlInteger } from '../../http/url-numbers.ts';
import { FEED_PAGE_RANGE } from './feed-urls.ts';

/** A broken `?page=` is a 422, as on pages and in the API, rather than a feed that is not there. */
export const FeedQuery = Type.Object({ page: Type.Optional(UrlInteger(FEED_PAGE_RANGE)) });
