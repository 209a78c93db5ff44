// The log port as Powertools structured logs: one JSON line per entry, the fields beside the
// message, an `error` field with its name, message and stack. Given the logger a handler decorates
// with injectLambdaContext, the use cases' entries carry the Lambda request id too.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Log, LogFields } from '../../ports/log.ts';

export class PowertoolsLog implements Log {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  info(message: string, fields: LogFields = {}): void {
    this.#logger.info(message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.#logger.warn(message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.#logger.error(message, fields);
  }
}
