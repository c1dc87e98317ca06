import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; `LOG_LEVEL=silent` in tests. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'lianhu-relay' }, timestamp: pino.stdTimeFunctions.isoTime });
}
