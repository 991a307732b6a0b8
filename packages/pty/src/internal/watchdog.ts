/**
 * The watchdog beside this process's children: it stops a child's process group if this Node.js
 * process dies before releasing the child, however it dies (SIGKILL and crashes included, when no
 * finalizer runs).
 *
 * It is one tiny `/bin/sh` per Node.js process (per worker thread), in a session of its own,
 * started with the first child it guards and shared by all of them. Its stdin is a pipe from this
 * process, on which each child is armed (`+ id pgid signal seconds seconds`) and, when released
 * normally, disarmed (`- id`). The shell blocks reading that pipe; the read returns end of file
 * when the last writer is gone: when this process has died (the pipe's end here is close-on-exec,
 * so no other child inherits it). It then stops every group still armed, each in a subshell of its
 * own: the interrupt signal, then SIGTERM, then SIGKILL, each step skipped once the group is gone.
 * It ignores SIGINT, SIGTERM, SIGHUP and SIGQUIT, so a Ctrl-C or a group kill meant for this
 * process does not disarm it. A process that exits normally closes the pipe too: the watchdog then
 * finds nothing armed and exits.
 *
 * Guards are named by a number of their own, not by the group: a group's number can be reused by
 * a new child before the old child's guard is disarmed. If the watchdog is killed (by someone
 * else: it ignores the usual signals), another is started with the guards still armed, given as
 * its argument so that it holds them from its start.
 *
 * It inherits no descriptor but its pipe: node-pty 1.1.0 leaves each terminal's master inheritable
 * (not close-on-exec), so a watchdog started after the first terminal would otherwise hold that
 * terminal for the life of this process (see {@link watchdogStdio}).
 *
 * Cost: one fork and exec of `/bin/sh` per process, not per child (a fork of this process costs
 * ~1-2 ms, more as its memory grows; see bench/), a write to the pipe to arm and to disarm, one
 * sleeping process of a few hundred KiB and one file descriptor here.
 *
 * @internal
 */
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process"
import * as fs from "node:fs"

/**
 * dash: `read -r` a line at a time; guards kept one per line in `$guards` (`id pgid signal
 * seconds seconds`; the first ones, if any, given as `$1`), with globbing off. `kill -s 0` (not
 * `kill -0`, which dash's kill refuses before `--`) tests whether any process of the group is
 * left. While the group does not exist yet (the child has not reached its `setsid`), the signal
 * goes to the child itself.
 */
const script = `trap '' INT TERM HUP QUIT PIPE
set -f
nl='
'
guards=$1
while read -r op id rest; do
  case $op in
  +) guards="$guards$id $rest$nl" ;;
  -)
    kept=
    IFS=$nl
    for guard in $guards; do
      case $guard in "$id "*) ;; *) kept="$kept$guard$nl" ;; esac
    done
    unset IFS
    guards=$kept
    ;;
  esac
done
sig() { kill -s "$1" -- "-$g" 2>/dev/null || kill -s "$1" "$g" 2>/dev/null; }
alive() { kill -s 0 -- "-$g" 2>/dev/null || kill -s 0 "$g" 2>/dev/null; }
stop() {
  g=$1
  alive || return 0
  sig "$2"
  sleep "$3"
  alive || return 0
  sig TERM
  sleep "$4"
  alive || return 0
  sig KILL
}
IFS=$nl
for guard in $guards; do
  (unset IFS; set -- $guard; stop "$2" "$3" "$4" "$5") &
done
wait
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
  /** Why it could not be started, or why it stopped guarding (it was killed and not replaced). */
  readonly failure: unknown
  /** Disarms the guard: the watchdog forgets the child. Idempotent. */
  readonly stop: () => void
}

interface Shared {
  readonly child: ChildProcess
  failure: unknown
  exited: boolean
}

let shared: Shared | undefined
let lastId = 0
/**
 * The guards armed now, each as the watchdog keeps it (`id pgid signal seconds seconds`, a line):
 * what a watchdog started after a kill is given.
 */
const armed = new Map<number, string>()
let lastRestart = -Infinity
/** Linux's limit on one argument is 128 KiB; the guards passed at a watchdog's start stay well below. */
const maxArgument = 64 * 1024

/**
 * The watchdog's stdio: its pipe as stdin, and every descriptor this process has open from 3 up
 * replaced in the child by `/dev/null` (`devNull`, opened close-on-exec, as Node.js opens every
 * descriptor of its own; to be closed once the watchdog is spawned). Node.js cannot make a
 * descriptor close-on-exec, nor close it in a child, but it can put another file in its place.
 * Without it the watchdog would inherit what was opened without close-on-exec: node-pty 1.1.0's
 * terminal masters (microsoft/node-pty#867 closes them only in node-pty's own children, from
 * 1.2.0), and would keep each such terminal open, its device allocated, and its other side never
 * hung up, for as long as this process lives.
 *
 * The descriptors are listed from `/dev/fd` (on Linux `/proc/self/fd`; macOS lists them there too);
 * where it cannot be read, the watchdog inherits what it inherits.
 */
const watchdogStdio = (): { readonly stdio: StdioOptions; readonly devNull: number | undefined } => {
  const stdio: Array<"pipe" | "ignore" | number> = ["pipe", "ignore", "ignore"]
  let listed: Array<string>
  try {
    listed = fs.readdirSync("/dev/fd")
  } catch {
    return { stdio, devNull: undefined }
  }
  // The listing's own descriptor, closed once read, was the lowest free one: /dev/null, opened
  // now, takes its number. If it did not (another thread opened or closed one meanwhile), each
  // listed descriptor is checked to be still open: a number mapped here but free at the spawn
  // could be taken by one of libuv's own pipes for the child.
  const devNull = fs.openSync("/dev/null", "r")
  const check = !listed.includes(String(devNull))
  for (const name of listed) {
    const fd = Number(name)
    if (!(fd > 2) || (check && !isOpen(fd))) continue
    while (stdio.length < fd) stdio.push("ignore")
    stdio[fd] = devNull
  }
  return { stdio, devNull }
}

const isOpen = (fd: number): boolean => {
  try {
    fs.fstatSync(fd)
    return true
  } catch {
    return false
  }
}

/**
 * The process's watchdog, started on first use and again if it has exited (then armed at once with
 * the guards still armed).
 */
const watchdog = (): Shared | { readonly failure: unknown } => {
  if (shared !== undefined && !shared.exited) return shared
  // The guards still armed (a watchdog that exited was keeping them) are the new one's from its
  // start, as its argument: written to its pipe after the spawn, they would be lost if this
  // process died in between. Past what one argument may hold, they are written instead.
  const kept = Array.from(armed.values()).join("")
  const fromStart = kept.length <= maxArgument
  let child: ChildProcess
  let devNull: number | undefined
  try {
    const inherited = watchdogStdio()
    devNull = inherited.devNull
    child = spawn("/bin/sh", ["-c", script, "effect-pty-watchdog", fromStart ? kept : ""], {
      stdio: inherited.stdio,
      detached: true,
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }
    })
  } catch (failure) {
    return { failure }
  } finally {
    if (devNull !== undefined) fs.closeSync(devNull)
  }
  const started: Shared = { child, failure: undefined, exited: false }
  const onExited = (failure: unknown) => {
    if (started.exited) return
    started.exited = true
    started.failure = failure
    child.stdin?.destroy()
  }
  // Spawn failures (EAGAIN, EMFILE, ...) arrive as an "error" event: never let one go unhandled.
  child.on("error", onExited)
  child.on("exit", (code, signal) => {
    onExited(new Error(`the watchdog exited (${signal ?? code})`))
    // Killed by someone else while it guarded children (its own exit is only at end of file, when
    // this process is gone): another one takes over the guards still armed. At most once a
    // second, so a watchdog that cannot run is not restarted in a loop (the next guard retries).
    if (signal !== null && armed.size > 0 && performance.now() - lastRestart >= 1000) {
      lastRestart = performance.now()
      watchdog()
    }
  })
  child.stdin?.on("error", () => {})
  // Neither the process nor its pipe keeps this process's event loop alive.
  child.unref()
  ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  shared = started
  // in one write: the first 64 KiB (a pipe's buffer) are in the pipe when this returns
  if (!fromStart) send(Array.from(armed.values(), (guard) => `+ ${guard}`).join(""))
  return started
}

/** Writes `line` to the watchdog, if one runs. */
const send = (line: string): void => {
  if (shared !== undefined && !shared.exited) shared.child.stdin?.write(line)
}

const seconds = (millis: number): string => (Math.max(0, millis) / 1000).toFixed(3)

/**
 * Guards the process group `pgid` (a child started in a session of its own, so its pid). Never
 * throws: a watchdog that cannot be started is reported in `failure`.
 *
 * @internal
 */
export const start = (pgid: number, options: WatchdogOptions): Watchdog => {
  const dog = watchdog()
  if (!("child" in dog) || dog.child.pid === undefined) {
    return { pid: undefined, failure: dog.failure, stop: () => {} }
  }
  const id = ++lastId
  // dash's `kill -s` takes "INT", not "SIGINT"
  const signal = options.interruptSignal.replace(/^SIG/, "")
  const guard = `${id} ${pgid} ${signal} ${seconds(options.interruptTimeoutMillis)} ${
    seconds(options.terminateTimeoutMillis)
  }\n`
  armed.set(id, guard)
  send(`+ ${guard}`)
  return {
    pid: dog.child.pid,
    get failure() {
      return shared?.failure
    },
    stop: () => {
      // armed until its first stop
      if (armed.delete(id)) send(`- ${id}\n`)
    }
  }
}
