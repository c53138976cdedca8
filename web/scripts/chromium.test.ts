import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const repo = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(import.meta.dirname, 'chromium.ts');

/** A folder to serve as the whole PATH, holding the given shell scripts. */
function pathWith(scripts: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-chromium-'));
  for (const [name, body] of Object.entries(scripts)) fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

/** Runs `node --import tsx web/scripts/chromium.ts` with exactly this environment. */
function ensure(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repo, encoding: 'utf8', env });
}

describe('Chromium for the browser test (web/scripts/chromium.ts)', () => {
  it('uses a chromium on PATH', () => {
    const dir = pathWith({ chromium: 'exit 0' });
    const run = ensure({ PATH: dir });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, `browser test: Chromium at ${path.join(dir, 'chromium')}\n`);
  });

  it('without one, and without a way to install it, stops with one line naming the command (exit 2)', () => {
    const run = ensure({ PATH: pathWith({}), L2L_INSTALL_CHROMIUM: '0' });
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "npm test: the browser test needs Chromium, which is not installed: run 'sudo apt-get install chromium' (Debian or Ubuntu), or set L2L_CHROMIUM to a Chromium executable\n");
    assert.equal(ensure({ PATH: pathWith({}) }).status, 2, 'no apt-get on PATH: the same line');
  });

  it('a bad L2L_CHROMIUM is a one-line error', () => {
    const run = ensure({ PATH: pathWith({ chromium: 'exit 0' }), L2L_CHROMIUM: '/nonexistent/chromium' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^npm test: L2L_CHROMIUM is '\/nonexistent\/chromium', which is not an executable file: point it at a Chromium executable, or unset it\n$/);
  });

  it("installs Debian's chromium with apt-get where this user can (root, or sudo without a password)", () => {
    // A stand-in apt-get records its arguments and "installs" chromium into the same folder;
    // a stand-in sudo runs its command, so the test works as root and as any other user.
    const dir = pathWith({
      'apt-get': 'echo "$@" >> "${0%/*}/apt-get.log"\n[ "$1" = install ] && printf "#!/bin/sh\\n" > "${0%/*}/chromium" && /bin/chmod 755 "${0%/*}/chromium"\nexit 0',
      sudo: '[ "$1" = -n ] && shift\nexec "$@"',
    });
    const run = ensure({ PATH: dir });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'apt-get.log'), 'utf8'), 'update -qq\ninstall -y -qq chromium\n');
    assert.match(run.stderr, /installing Debian's chromium package/);
    assert.match(run.stderr, new RegExp(`browser test: Chromium at ${path.join(dir, 'chromium')}\\n$`));
  });

  it('a failed apt-get is one line after its own output (exit 2)', () => {
    const run = ensure({ PATH: pathWith({ 'apt-get': 'echo "E: Unable to locate package chromium" >&2\nexit 100', sudo: '[ "$1" = -n ] && shift\nexec "$@"' }) });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /E: Unable to locate package chromium\nnpm test: installing Chromium with apt-get failed \(see above\): the browser test needs Chromium/);
  });
});
