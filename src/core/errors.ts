/** A problem the user fixes in their command line or configuration (exit status 2). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, as `path: message`. */
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('; '));
    this.problems = list;
  }
}

/** A failure of something outside the program: a file, the network, a database (exit status 1). */
export class ExternalError extends Error {
  override readonly name = 'ExternalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
