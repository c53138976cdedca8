/**
 * The `l2l` command line: thin commands over the library, and the one place that turns errors
 * into messages and exit codes (2 for user mistakes, 1 for anything unexpected).
 */
import { Command, CommanderError, Option } from 'commander';
import { initBackend } from '../backend/backend.ts';
import { UserError } from '../io/userError.ts';
import { registerCompare } from './commands/compare.ts';
import { registerGeneralize } from './commands/generalize.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerQuickstart } from './commands/quickstart.ts';
import { registerReproduce } from './commands/reproduce.ts';
import { registerTrain } from './commands/train.ts';
import { registerWorker } from './commands/worker.ts';
import { backendName } from './options.ts';
import { PACKAGE_VERSION } from './version.ts';

/** Builds the `l2l` program (without running it). */
export function buildProgram(): Command {
  const program = new Command('l2l')
    .description('Learning to learn by gradient descent by gradient descent: meta-train LSTM optimizers and compare them with tuned baselines')
    .version(PACKAGE_VERSION)
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (or set L2L_BACKEND)').argParser(backendName))
    .addOption(new Option('--kernel <name>', 'LSTM and MNIST kernels: native (C++ addon, the default when built) or tfjs (the browser\'s); numbers differ in rounding (or set L2L_KERNEL)').choices(['native', 'tfjs']))
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .hook('preAction', async (cmd) => {
      // Set for the worker threads too, which read it when they start their kernels.
      if (cmd.opts().kernel) process.env.L2L_KERNEL = cmd.opts().kernel;
      await initBackend(cmd.opts().backend);
    });
  registerTrain(program);
  registerCompare(program);
  registerQuickstart(program);
  registerReproduce(program);
  registerGeneralize(program);
  registerInspect(program);
  registerWorker(program);
  for (const command of program.commands) command.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      process.stderr.write(`l2l: ${error.message.replace(/^error: /, '')}\n`.replace(/\n+$/, '\n'));
      return 2;
    }
    if (error instanceof UserError) {
      process.stderr.write(`l2l: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`l2l: unexpected error: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

