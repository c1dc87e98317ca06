/** A value a statement can be given. Booleans are not allowed: SQLite has none (use 1/0). */
export type Param = string | number | null | Uint8Array;
export type Params = Record<string, Param | undefined>;

/**
 * The one narrow interface every part of the relay reads and writes through: statements in
 * the SQL both backends speak, with named parameters (`@name`), run one at a time or inside
 * one transaction. `SqliteDb` (default) and `PostgresDb` (`DATABASE_URL=postgres://…`)
 * implement it; the SQL that differs between them is kept to the schema (migrations) and
 * to `dialect`.
 */
export interface Sql {
  readonly kind: 'sqlite' | 'postgres';
  all<T>(sql: string, p?: Params): Promise<T[]>;
  get<T>(sql: string, p?: Params): Promise<T | undefined>;
  /** returns the number of rows changed */
  run(sql: string, p?: Params): Promise<number>;
  /**
   * Run `fn` in one transaction, committed (durably: SQLite `synchronous=FULL`, Postgres
   * `synchronous_commit=on`) before the promise resolves; rolled back if it throws. Inside,
   * `tx.tx(f)` runs `f` in the same transaction.
   */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface SqlDb extends Sql {
  /** where the data lives, for logs and /healthz (no password) */
  readonly where: string;
  /** answers when the database answers (for /healthz); throws otherwise */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Postgres locks the doc row read for an update; SQLite's write transaction is already exclusive. */
export const forUpdate = (sql: Sql): string => (sql.kind === 'postgres' ? ' FOR UPDATE' : '');

const NAME = /@([a-zA-Z_][a-zA-Z0-9_]*)/g;

/** Named parameters as Postgres' numbered ones (`@a … @b … @a` → `$1 … $2 … $1`), compiled once per statement. */
export function toNumbered(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(NAME, (_, name: string) => {
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text, names };
}
