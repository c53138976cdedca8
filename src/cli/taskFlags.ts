/** The task flags shared by commands (`--task`, `--variant`, `--dims`) and the family they build. */
import type { Command } from 'commander';
import { QuadraticFamily, type QuadraticVariant } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { intIn, oneOf, TASKS } from './options.ts';

/** Parsed task flags. */
export interface TaskFlags {
  task: (typeof TASKS)[number];
  variant: QuadraticVariant;
  dims: number;
}

/** Adds the task flags to a command. */
export function addTaskFlags(command: Command): Command {
  return command
    .option('--task <name>', `task family: ${TASKS.join(', ')}`, oneOf(TASKS), 'quadratic')
    .option('--variant <name>', "quadratic variant: 'paper' (W, y, θ0 ~ N(0,1)) or 'deepmind' (W, y ~ U[0,1], θ0 ~ N(0,0.01²), batch-mean loss)", oneOf(['paper', 'deepmind'] as const), 'paper')
    .option('--dims <n>', 'quadratic dimension', intIn(1, 10_000), 10);
}

/** The task family the flags describe. */
export function familyFromFlags(flags: TaskFlags): TaskFamily {
  return new QuadraticFamily({ dims: flags.dims, variant: flags.variant });
}
