// An error the CLI reports to a person: a stable code, what went wrong, and (when we know) what to try.

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string | null,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
