// Where the use cases say what went wrong (or right) without knowing where logs go: Powertools in
// Lambda and under `npm start` (lambdas/adapters/log/), a recording one in tests. A message is a
// short fixed phrase; what varies goes in the fields (ids, counts, `error`). Never secrets.

export type LogFields = Record<string, unknown>;

export interface Log {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
