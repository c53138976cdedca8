/**
 * Chromium for the browser test. `findChromium()` returns the executable: `L2L_CHROMIUM` when set,
 * else `chromium` (or `chromium-browser`) on PATH. Run as a script (`npm run test:web` runs
 * `node --import tsx web/scripts/chromium.ts` first), it makes sure there is one: when none is found and this user can run apt-get (root, or
 * sudo without a password), it installs Debian's `chromium` package; otherwise it stops with one
 * line naming the command to run, exit code 2. `L2L_INSTALL_CHROMIUM=0` turns the install off.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAMES = ['chromium', 'chromium-browser'];

/** The executable file called `name` in one of PATH's folders, or undefined. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A user mistake or a missing prerequisite: reported in one line, exit code 2. */
export class ChromiumError extends Error {}

/** The Chromium executable the browser test uses, or undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.L2L_CHROMIUM) {
    const file = path.resolve(env.L2L_CHROMIUM);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      throw new ChromiumError(`L2L_CHROMIUM is '${env.L2L_CHROMIUM}', which is not an executable file: point it at a Chromium executable, or unset it`);
    }
  }
  for (const name of NAMES) {
    const file = onPath(name, env);
    if (file) return file;
  }
  return undefined;
}

/** How this user can run apt-get: directly (root), through passwordless sudo, or not at all. */
function aptCommand(env: NodeJS.ProcessEnv): string[] | undefined {
  if (!onPath('apt-get', env)) return undefined;
  if (process.getuid?.() === 0) return [];
  if (onPath('sudo', env) && spawnSync('sudo', ['-n', 'true'], { env, stdio: 'ignore' }).status === 0) return ['sudo', '-n'];
  return undefined;
}

/** Returns the Chromium executable, installing Debian's package first where this user can. */
export function ensureChromium(env: NodeJS.ProcessEnv = process.env, log = (line: string) => void process.stderr.write(line + '\n')): string {
  const found = findChromium(env);
  if (found) return found;
  const manual = "the browser test needs Chromium, which is not installed: run 'sudo apt-get install chromium' (Debian or Ubuntu), or set L2L_CHROMIUM to a Chromium executable";
  const prefix = env.L2L_INSTALL_CHROMIUM === '0' ? undefined : aptCommand(env);
  if (!prefix) throw new ChromiumError(manual);
  log("Chromium is missing: installing Debian's chromium package for the browser test (apt-get install chromium)…");
  const run = (args: string[]) => {
    const [command, ...rest] = [...prefix, ...args];
    execFileSync(command, rest, { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', 'chromium']);
  } catch {
    throw new ChromiumError(`installing Chromium with apt-get failed (see above): ${manual}`);
  }
  const installed = findChromium(env);
  if (!installed) throw new ChromiumError(`apt-get installed chromium but no chromium is on PATH: ${manual}`);
  log(`installed ${installed}`);
  return installed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    const file = ensureChromium();
    process.stderr.write(`browser test: Chromium at ${file}\n`);
  } catch (error) {
    if (!(error instanceof ChromiumError)) throw error;
    process.stderr.write(`npm test: ${error.message}\n`);
    process.exit(2);
  }
}
