// A stand-in for the public node:20-bookworm-slim image, built here from Debian packages (this machine reaches no
// image registry): a minimal Debian root filesystem from mmdebstrap, imported into podman, plus this machine's
// Node 20 (Debian's own nodejs is 18) laid out as the official node images lay it out: /usr/local/bin/node, npm
// under /usr/local/lib/node_modules, headers under /usr/local/include/node. Each step is cached: the root
// filesystem as a tarball under /var/cache keyed by its package list, the images by tag.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Podman } from './podman.js';

export const BASE_CACHE_DIR = process.env.HOOKLINE_CONTAINER_CACHE ?? '/var/cache/hookline-test/container-base';

/** What the root filesystem is made of; its hash names the cached tarball, so a change here rebuilds it. */
const DEBIAN_ROOTFS = {
  suite: 'bookworm',
  mirror: 'http://deb.debian.org/debian',
  args: [
    '--variant=minbase',
    '--mode=root',
    '--format=tar',
    // As Debian's slim images: no manual pages, documentation or translations; no apt lists (a build runs
    // apt-get update first).
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    '--dpkgopt=path-exclude=/usr/share/info/*',
    '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
  ],
};

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function run(command: string, args: readonly string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else {
        log(output);
        reject(
          new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.split('\n').slice(-30).join('\n')}`),
        );
      }
    });
  });
}

/** The Debian root filesystem tarball: from the cache, or built (about two minutes, mostly downloads). */
async function debianRootfs(log: (line: string) => void): Promise<{ path: string; hash: string }> {
  const hash = sha256(JSON.stringify(DEBIAN_ROOTFS)).slice(0, 16);
  const path = join(BASE_CACHE_DIR, `debian-${DEBIAN_ROOTFS.suite}-minbase-${hash}.tar`);
  if (existsSync(path)) return { path, hash };
  mkdirSync(BASE_CACHE_DIR, { recursive: true });
  // Built beside its final name and renamed: a run killed halfway, or two runs at once, never leave half a tarball.
  const partial = `${path}.${process.pid}.partial`;
  log(`building the Debian root filesystem with mmdebstrap into ${path}`);
  try {
    await run('mmdebstrap', [...DEBIAN_ROOTFS.args, DEBIAN_ROOTFS.suite, partial, DEBIAN_ROOTFS.mirror], log);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  return { path, hash };
}

/** Where this machine's Node keeps npm and its headers (Debian and NodeSource: /usr/lib, /usr/include). */
function machineNode(): { binary: string; npm: string; headers: string; version: string } {
  const binary = realpathSync(process.execPath);
  const prefix = dirname(dirname(binary));
  const npm = [join(prefix, 'lib/node_modules/npm'), '/usr/lib/node_modules/npm', '/usr/share/nodejs/npm'].find((dir) =>
    existsSync(join(dir, 'bin/npm-cli.js')),
  );
  const headers = [join(prefix, 'include/node'), '/usr/include/node'].find((dir) => existsSync(join(dir, 'node.h')));
  if (npm === undefined || headers === undefined) {
    throw new Error(
      `cannot find npm (${npm ?? 'missing'}) or Node's headers (${headers ?? 'missing'}) beside ${binary}`,
    );
  }
  return { binary, npm, headers, version: process.version };
}

/**
 * This machine's certificate bundle, when it has one: a machine behind a TLS-inspecting proxy reaches the npm
 * registry only with its own CA, which node:20 from a registry would not carry either.
 */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Builds (or finds) the local Node 20 base image and returns its name, for the Dockerfile's BASE build-arg. */
export async function localNodeBase(podman: Podman, log: (line: string) => void): Promise<string> {
  const rootfs = await debianRootfs(log);
  const debianImage = `localhost/hookline-test-debian:${rootfs.hash}`;
  if (!(await podman.imageExists(debianImage))) {
    log(`importing ${rootfs.path} as ${debianImage}`);
    await podman.ok(['import', '--change', 'CMD ["/bin/bash"]', rootfs.path, debianImage]);
  }

  const node = machineNode();
  const ca = existsSync(CA_BUNDLE) ? readFileSync(CA_BUNDLE) : null;
  const nodeHash = sha256(
    JSON.stringify({ debianImage, version: node.version, ca: ca === null ? null : sha256(ca), layout: 1 }),
  ).slice(0, 16);
  const nodeImage = `localhost/hookline-test-node20:${nodeHash}`;
  if (await podman.imageExists(nodeImage)) return nodeImage;

  log(`building ${nodeImage}: ${debianImage} with this machine's Node ${node.version}`);
  const context = mkdtempSync(join(tmpdir(), 'hookline-node-base-'));
  try {
    cpSync(node.binary, join(context, 'node'));
    cpSync(node.npm, join(context, 'npm'), { recursive: true });
    cpSync(node.headers, join(context, 'include-node'), { recursive: true });
    const lines = [
      `FROM ${debianImage}`,
      'COPY node /usr/local/bin/node',
      'COPY npm /usr/local/lib/node_modules/npm',
      'COPY include-node /usr/local/include/node',
    ];
    if (ca !== null) {
      writeFileSync(join(context, 'ca-certificates.crt'), ca);
      lines.push(`COPY ca-certificates.crt ${CA_BUNDLE}`, `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`);
    }
    lines.push(
      // The official images' links and their `node` user (uid 1000).
      'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm' +
        ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx' +
        ' && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node' +
        ' && node --version && npm --version',
      'CMD ["node"]',
    );
    writeFileSync(join(context, 'Containerfile'), `${lines.join('\n')}\n`);
    await podman.ok(['build', '--format', 'docker', '-t', nodeImage, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return nodeImage;
}
