import { statSync } from 'node:fs';

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group. EPERM cannot happen for our own children.
  }
}

/** Why a step cannot start in `cwd`, or null when it can. */
export function cwdProblem(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `working directory ${JSON.stringify(cwd)} is not a directory`;
  } catch {
    return `working directory ${JSON.stringify(cwd)} does not exist`;
  }
}
