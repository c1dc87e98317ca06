import type { ChildProcess } from 'node:child_process';

/**
 * Processes a benchmark started (relays, load workers). If the run is interrupted (Ctrl-C,
 * a CI timeout) they are stopped with it instead of being left running.
 */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const c of children) c.kill('SIGKILL');
      // exit() runs Playwright's exit hooks, which close the browsers it launched.
      process.exit(130);
    });
  }
}
