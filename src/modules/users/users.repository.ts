/** Queries on users. */
import type { Updateable } from 'kysely';
import type { Database, DbHandle } from '../../db/database.ts';
import type { NewUser, UserRow, UsersTable } from '../../db/schema.ts';

export function findUserById(db: DbHandle, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByUsername(db: DbHandle, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserByLogin(db: DbHandle, login: string): Promise<UserRow | undefined> {
  const column = login.includes('@') ? 'email' : 'username';
  return db
    .selectFrom('users')
    .selectAll()
    .where(column, '=', login.toLowerCase())
    .executeTakeFirst();
}

export async function insertUser(db: DbHandle, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function countUsers(db: DbHandle): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listUsers(db: DbHandle, limit: number, offset: number): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('id').limit(limit).offset(offset).execute();
}

export function updateUserRow(
  db: DbHandle,
  id: number,
  values: Updateable<UsersTable>,
): Promise<UserRow> {
  return db
    .updateTable('users')
    .set(values)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Inserts the first-administrator marker; false when it was there already. Exactly one
 * transaction can insert it.
 */
export async function claimFirstAdminMarker(db: DbHandle, now: string): Promise<boolean> {
  const result = await db
    .insertInto('settings')
    .values({ key: 'first_admin_claimed', value: now, updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export type DirectoryRow = Pick<
  UserRow,
  'id' | 'username' | 'name' | 'role' | 'created_at' | 'suspended_at'
> & {
  articles: number;
};

/** Accounts oldest first, each with how many articles it has, drafts and scheduled included. */
export async function listUsersWithArticleCounts(
  db: DbHandle,
  limit: number,
  offset: number,
): Promise<DirectoryRow[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username', 'name', 'role', 'created_at', 'suspended_at'])
    .select((eb) =>
      eb
        .selectFrom('articles')
        .select((c) => c.fn.countAll<number>().as('n'))
        .whereRef('articles.user_id', '=', 'users.id')
        .as('articles'),
    )
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({ ...r, articles: Number(r.articles ?? 0) }));
}

/** The account, its row held for a change until the transaction ends (PostgreSQL). */
export function lockUser(
  database: Pick<Database, 'forUpdate'>,
  db: DbHandle,
  id: number,
): Promise<UserRow> {
  return database
    .forUpdate(db.selectFrom('users').selectAll().where('id', '=', id))
    .executeTakeFirstOrThrow();
}

export function usersByIds(db: DbHandle, ids: readonly number[]): Promise<UserRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

/** Those of `usernames` (lower case) that name an account. */
export async function findExistingUsernames(
  db: DbHandle,
  usernames: readonly string[],
): Promise<string[]> {
  if (usernames.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select('username')
    .where('username', 'in', usernames)
    .execute();
  return rows.map((r) => r.username);
}
