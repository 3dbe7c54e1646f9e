// Which of some processes owns the TCP socket bound to a local port, read from Linux's /proc: the kernel's socket
// table gives the port's socket inode, and each process's open descriptors name the inodes they hold. A test that must
// act on the process behind a request it received (kill -9 the worker whose send it is holding) learns it this way,
// instead of guessing and hoping the guess had something in flight.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Inodes of the TCP sockets (IPv4 and IPv6) whose local port is `port`. */
function socketInodesOfLocalPort(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      if (local === undefined || inode === undefined || inode === '0') continue;
      if (local.slice(local.lastIndexOf(':') + 1) === hexPort) inodes.add(inode);
    }
  }
  return inodes;
}

/** The pid among `pids` holding a socket bound to local `port`, or undefined when none does (or it has closed). */
export function processOfLocalPort(port: number, pids: readonly number[]): number | undefined {
  const inodes = socketInodesOfLocalPort(port);
  if (inodes.size === 0) return undefined;
  for (const pid of pids) {
    let descriptors: string[];
    try {
      descriptors = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of descriptors) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1] !== undefined && inodes.has(match[1])) return pid;
    }
  }
  return undefined;
}
