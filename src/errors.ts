// Typed errors with a stable `code`, so callers branch on kind and the CLI prints one line.

export type ErrorCode =
  | 'usage'
  | 'config'
  | 'privileges'
  | 'capture_unavailable'
  | 'input'
  | 'data'
  | 'output'
  | 'internal';

/** An expected failure whose message is fit to show to a user as one line. */
export class EgressError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EgressError';
    this.code = code;
  }
}

/** Bad command-line arguments: the CLI prints the message and a pointer to --help. */
export class UsageError extends EgressError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** A configuration file or value that failed validation; the message names file and field. */
export class ConfigError extends EgressError {
  constructor(message: string) {
    super('config', message);
    this.name = 'ConfigError';
  }
}

/** Live capture cannot start; the message says what is missing in one sentence. */
export class CaptureUnavailableError extends EgressError {
  constructor(message: string) {
    super('capture_unavailable', message);
    this.name = 'CaptureUnavailableError';
  }
}

/** Flattens any thrown value into one line of text (no stack). */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, '; ').trim();
}
