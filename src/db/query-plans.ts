/**
 * How the database means to run a query: SQLite's `EXPLAIN QUERY PLAN` or PostgreSQL's
 * `EXPLAIN (FORMAT JSON)`, read into one step per line and the steps that read a whole table or
 * sort. The query-plan tests hold every listing to an index range with this, and
 * docs/query-plans.md shows what it prints.
 */
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import { Database } from './database.ts';

export interface QueryPlan {
  sql: string;
  /** One line per step, children indented under their parent (PostgreSQL). */
  steps: string[];
  /** Steps that read every row of a table, with the table's name. */
  fullScans: Array<{ table: string; step: string }>;
  /** Steps that sort rows the way no index gives them. */
  sorts: string[];
}

/**
 * Fresh statistics for the planner, as a live database keeps them: ANALYZE, and on PostgreSQL
 * VACUUM too, which fills the visibility map that lets an index answer alone (an index-only
 * scan). Autovacuum does both on a running PostgreSQL; a test that has just written its rows
 * cannot wait for it.
 */
export async function refreshStatistics(database: Database): Promise<void> {
  await sql
    .raw(database.dialect === 'postgres' ? 'vacuum analyze' : 'analyze')
    .execute(database.db);
}

/**
 * Records every SELECT run through a handle, to explain it afterwards. Only queries that ran are
 * kept: a subquery built on the same handle passes through the plugin too, but never runs alone.
 */
class SelectRecorder implements KyselyPlugin {
  readonly #seen = new Map<QueryId, RootOperationNode>();
  readonly queries: Array<{ node: RootOperationNode; queryId: QueryId }> = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode') this.#seen.set(args.queryId, args.node);
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const node = this.#seen.get(args.queryId);
    if (node) this.queries.push({ node, queryId: args.queryId });
    return Promise.resolve(args.result);
  }
}

/**
 * Runs `fn` with a database that records its SELECTs (the same pool, which stays open), then
 * explains each with the parameters it ran with.
 */
export async function explainSelects(
  database: Database,
  fn: (recording: Database) => Promise<unknown>,
): Promise<QueryPlan[]> {
  const recorder = new SelectRecorder();
  await fn(new Database(database.db.withPlugin(recorder), database.dialect));
  const executor = database.db.getExecutor();
  const plans: QueryPlan[] = [];
  for (const { node, queryId } of recorder.queries)
    plans.push(await explain(database, executor.compileQuery(node, queryId)));
  return plans;
}

/** The plan of one compiled query, with the parameters it carries. */
export async function explain(database: Database, query: CompiledQuery): Promise<QueryPlan> {
  const parameters = [...query.parameters];
  if (database.dialect === 'sqlite') {
    const result = await database.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, parameters),
    );
    return { sql: query.sql, ...sqliteSteps(result.rows.map((row) => row.detail)) };
  }
  const result = await database.db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PgNode }> }>(
    CompiledQuery.raw(`explain (format json) ${query.sql}`, parameters),
  );
  const root = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!root) throw new Error(`no plan for ${query.sql}`);
  return { sql: query.sql, ...pgSteps(root) };
}

type Steps = Omit<QueryPlan, 'sql'>;

/**
 * SQLite says `SCAN t` for a whole table read in rowid order, `SCAN t USING INDEX i` for a whole
 * index read in its order (both full), `SEARCH t USING ...` for a range, and `USE TEMP B-TREE
 * FOR ORDER BY` when it sorts.
 */
function sqliteSteps(steps: string[]): Steps {
  const fullScans: Steps['fullScans'] = [];
  const sorts: string[] = [];
  for (const step of steps) {
    const scan = /^SCAN (\w+)/.exec(step);
    if (scan) fullScans.push({ table: scan[1] as string, step });
    if (/USE TEMP B-TREE FOR .*ORDER BY/.test(step)) sorts.push(step);
  }
  return { steps, fullScans, sorts };
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PgNode[];
}

/**
 * PostgreSQL reads a whole table in a `Seq Scan`, and sorts in `Sort`, `Incremental Sort` (the
 * rest of an order an index only began) and the sorts of `Gather Merge`'s workers.
 */
function pgSteps(root: PgNode): Steps {
  const out: Steps = { steps: [], fullScans: [], sorts: [] };
  const walk = (node: PgNode, depth: number) => {
    const table = node['Relation Name'];
    const on = table ? ` on ${table}` : '';
    const using = node['Index Name'] ? ` using ${node['Index Name']}` : '';
    const step = `${node['Node Type']}${on}${using}`;
    out.steps.push(`${'  '.repeat(depth)}${step}`);
    if (node['Node Type'] === 'Seq Scan' && table) out.fullScans.push({ table, step });
    if (/Sort/.test(node['Node Type'])) out.sorts.push(step);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(root, 0);
  return out;
}
