/**
 * A watchdog beside a child process: it stops the child's process group if this Node.js process
 * dies before releasing the child, however it dies (SIGKILL and crashes included, when no
 * finalizer runs).
 *
 * It is a tiny `/bin/sh` in a session of its own whose stdin is a pipe from this process, which
 * never writes to it. The shell blocks reading that pipe; the read returns only at end of file,
 * which the kernel gives when the last writer is gone: when this process has died (the pipe's
 * end here is close-on-exec, so no other child inherits it). It then signals the process group:
 * the interrupt signal, then SIGTERM, then SIGKILL, each step skipped once the group is gone.
 * It ignores SIGINT, SIGTERM, SIGHUP and SIGQUIT, so a Ctrl-C or a group kill meant for this
 * process does not disarm it.
 *
 * When the child is released normally, the watchdog is killed (SIGKILL first, then the pipe is
 * closed, so it never sees the end of file) and reaped.
 *
 * Cost: one fork and exec of `/bin/sh` per child (about a millisecond; see bench/), one sleeping
 * process of a few hundred KiB while the child runs, one file descriptor here.
 *
 * @internal
 */
import { type ChildProcess, spawn } from "node:child_process"

/**
 * `$1` process group, `$2` interrupt signal, `$3` seconds to wait after it, `$4` seconds to wait
 * after SIGTERM. `kill -s 0` (not `kill -0`, which dash's kill refuses before `--`) tests whether
 * any process of the group is left. While the group does not exist yet (the child has not
 * reached its `setsid`), the signal goes to the child itself.
 */
const script = `trap '' INT TERM HUP QUIT PIPE
read _
g=-$1
sig() { kill -s "$1" -- "$g" 2>/dev/null || kill -s "$1" "\${g#-}" 2>/dev/null; }
alive() { kill -s 0 -- "$g" 2>/dev/null || kill -s 0 "\${g#-}" 2>/dev/null; }
alive || exit 0
sig "$2"
sleep "$3"
alive || exit 0
sig TERM
sleep "$4"
alive || exit 0
sig KILL
`

/** @internal */
export interface WatchdogOptions {
  readonly interruptSignal: NodeJS.Signals
  readonly interruptTimeoutMillis: number
  readonly terminateTimeoutMillis: number
}

/** @internal */
export interface Watchdog {
  /** The watchdog's pid; `undefined` when it could not be started (the child is then unguarded). */
  readonly pid: number | undefined
  /** Why it could not be started. */
  readonly failure: unknown
  /** Disarms it: kills it without letting it signal anything. Idempotent. */
  readonly stop: () => void
  /** Calls `onExit` once the watchdog has been reaped (at once if it never ran or was reaped). */
  readonly onExit: (onExit: () => void) => void
}

const seconds = (millis: number): string => (Math.max(0, millis) / 1000).toFixed(3)

/**
 * Starts a watchdog for the process group `pgid` (a child started in a session of its own, so
 * its pid). Never throws: a watchdog that cannot be started is reported in `failure`.
 *
 * @internal
 */
export const start = (pgid: number, options: WatchdogOptions): Watchdog => {
  let child: ChildProcess
  try {
    child = spawn(
      "/bin/sh",
      [
        "-c",
        script,
        "effect-pty-watchdog",
        String(pgid),
        // dash's `kill -s` takes "INT", not "SIGINT"
        options.interruptSignal.replace(/^SIG/, ""),
        seconds(options.interruptTimeoutMillis),
        seconds(options.terminateTimeoutMillis)
      ],
      {
        stdio: ["pipe", "ignore", "ignore"],
        detached: true,
        cwd: "/",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }
      }
    )
  } catch (failure) {
    return { pid: undefined, failure, stop: () => {}, onExit: (onExit) => onExit() }
  }
  let failure: unknown = undefined
  let exited = false
  const waiters: Array<() => void> = []
  const onExited = () => {
    if (exited) return
    exited = true
    child.stdin?.destroy()
    for (const waiter of waiters.splice(0)) waiter()
  }
  // Spawn failures (EAGAIN, EMFILE, ...) arrive as an "error" event: never let one go unhandled.
  child.on("error", (error) => {
    failure = error
    onExited()
  })
  child.on("exit", onExited)
  child.stdin?.on("error", () => {})
  // While armed, neither the process nor its pipe keeps this process's event loop alive (when
  // this process ends with children still running, the watchdog stops them).
  child.unref()
  ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  let stopped = false
  return {
    pid: child.pid,
    get failure() {
      return failure
    },
    stop: () => {
      if (stopped) return
      stopped = true
      // SIGKILL before closing the pipe: a process with SIGKILL pending never returns to user
      // space, so it cannot act on the end of file.
      if (!exited) {
        // Until it is reaped, it keeps the event loop alive: whoever waits for `onExit` is
        // not left behind by a process that ran out of things to do.
        child.ref()
        try {
          child.kill("SIGKILL")
        } catch {
          // already gone
        }
      }
      child.stdin?.destroy()
    },
    onExit: (onExit) => {
      if (exited || child.pid === undefined) onExit()
      else waiters.push(onExit)
    }
  }
}
