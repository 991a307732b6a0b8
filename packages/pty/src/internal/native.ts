/**
 * node-pty's native binding, used directly.
 *
 * `node-pty`'s `UnixTerminal` class is not used because of two behaviours that lose data under
 * backpressure (see `lib/unixTerminal.js` in node-pty 1.1.0):
 *
 * - when the child is reaped while the master socket is paused, it destroys the socket after
 *   200 ms, discarding whatever the child wrote last and is still in the kernel buffer;
 * - it delays `onExit` until that socket has closed, so the exit status depends on the reader.
 *
 * The binding itself (`fork`, `resize`) is small and stable; the version is pinned exactly in
 * package.json.
 *
 * @internal
 */
import { createRequire } from "node:module"
import * as path from "node:path"

/** @internal */
export interface ForkResult {
  readonly fd: number
  readonly pid: number
  readonly pty: string
}

/** @internal */
export interface NativePty {
  fork(
    file: string,
    args: ReadonlyArray<string>,
    env: ReadonlyArray<string>,
    cwd: string,
    cols: number,
    rows: number,
    uid: number,
    gid: number,
    utf8: boolean,
    helperPath: string,
    onExit: (exitCode: number, signal: number) => void
  ): ForkResult
  resize(fd: number, cols: number, rows: number): void
}

/** @internal */
export interface Binding {
  readonly native: NativePty
  /** Only used on macOS, where node-pty spawns through a helper executable. */
  readonly helperPath: string
}

let cached: Binding | undefined

/**
 * Where node-pty is resolved from: this module; in a CommonJS bundle, where `import.meta` is empty
 * (esbuild's `--format=cjs`, which a Node.js start-up snapshot is built from), the bundle's file.
 */
const resolveFrom = (): string => typeof import.meta.url === "string" ? import.meta.url : __filename

/**
 * Loads the binding the way node-pty's own `UnixTerminal` does. Throws if the native module was
 * not built.
 *
 * @internal
 */
export const load = (): Binding => {
  if (cached !== undefined) return cached
  const require = createRequire(resolveFrom())
  const utilsPath = require.resolve("node-pty/lib/utils.js")
  const utils = require(utilsPath) as {
    loadNativeModule(name: string): { dir: string; module: NativePty }
  }
  const loaded = utils.loadNativeModule("pty")
  const helperPath = path
    .resolve(path.dirname(utilsPath), loaded.dir, "spawn-helper")
    .replace("app.asar", "app.asar.unpacked")
    .replace("node_modules.asar", "node_modules.asar.unpacked")
  cached = { native: loaded.module, helperPath }
  return cached
}
