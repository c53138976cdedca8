/** An error caused by user input: the CLI prints its one-line message and exits with code 2. */
export class UserError extends Error {
  /** A message that names the problem and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
