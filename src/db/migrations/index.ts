/**
 * Every migration, in order. Entries are frozen once released: a change to the schema is a new
 * entry, never an edit of an old one.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-feed-import.ts';
import * as m0003 from './0003-event-routing.ts';
import * as m0004 from './0004-lz4-text.ts';
import * as m0005 from './0005-event-cache-keys.ts';
import * as m0006 from './0006-listing-indexes.ts';
import * as m0007 from './0007-conversation.ts';
import * as m0008 from './0008-password-resets.ts';
import * as m0009 from './0009-follows.ts';
import * as m0010 from './0010-notifications.ts';
import * as m0011 from './0011-search.ts';
import * as m0012 from './0012-search-people.ts';
import * as m0013 from './0013-search-speed.ts';
import * as m0014 from './0014-search-text.ts';

export interface QuireMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

export const migrations: Record<string, QuireMigration> = {
  '0001-initial': m0001,
  '0002-feed-import': m0002,
  '0003-event-routing': m0003,
  '0004-lz4-text': m0004,
  '0005-event-cache-keys': m0005,
  '0006-listing-indexes': m0006,
  '0007-conversation': m0007,
  '0008-password-resets': m0008,
  '0009-follows': m0009,
  '0010-notifications': m0010,
  '0011-search': m0011,
  '0012-search-people': m0012,
  '0013-search-speed': m0013,
  '0014-search-text': m0014,
};
