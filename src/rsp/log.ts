import type { Logger } from '../log';

/** The logging the RSP layer needs: pino's `(object, message)` calls. A pino Logger fits. */
export type RspLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

const ignore = (): void => undefined;

/** A logger that drops everything (the default when the owner passes none). */
export const SILENT_LOG: RspLog = { debug: ignore, info: ignore, warn: ignore, error: ignore };
