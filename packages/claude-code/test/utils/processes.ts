/**
 * Process-table helpers for the integration tests: find the CLI a run started (the library does not
 * expose its pid) and check that a process is really gone.
 */
import { assert } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Fs from "node:fs"

/** `ppid` of a live process from `/proc/PID/stat`, `undefined` when it is gone. */
const parentOf = (pid: number): number | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // "PID (comm) STATE PPID ...": comm may contain spaces and parentheses, so read after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[1])
  } catch {
    return undefined
  }
}

const readLink = (path: string): string | undefined => {
  try {
    return Fs.readlinkSync(path)
  } catch {
    return undefined
  }
}

const cmdline = (pid: number): ReadonlyArray<string> => {
  try {
    return Fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((arg) => arg.length > 0)
  } catch {
    return []
  }
}

/**
 * The direct children of this test process whose command line names `executable` and whose working
 * directory is `cwd` (every test runs the CLI in a fresh directory, so this singles out its own run
 * even when other tests run CLIs at the same time).
 */
export const cliChildren = (executable: string, cwd: string): ReadonlyArray<number> =>
  Fs.readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) =>
      parentOf(pid) === process.pid &&
      cmdline(pid).some((arg) => arg === executable) &&
      readLink(`/proc/${pid}/cwd`) === cwd
    )

/** The one CLI process this test started in `cwd`; fails the test unless there is exactly one. */
export const cliPid = (executable: string, cwd: string): Effect.Effect<number> =>
  Effect.sync(() => {
    const pids = cliChildren(executable, cwd)
    assert.strictEqual(pids.length, 1, `expected one ${executable} child in ${cwd}, found ${JSON.stringify(pids)}`)
    return pids[0]!
  })

/** Whether `pid` names a process at all (`process.kill(pid, 0)`; a zombie still counts). */
export const exists = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    assert.strictEqual((error as NodeJS.ErrnoException).code, "ESRCH")
    return false
  }
}

/** Asserts that `pid` is gone: `process.kill(pid, 0)` throws ESRCH (reaped, not even a zombie). */
export const assertGone = (pid: number, what = "the CLI"): Effect.Effect<void> =>
  Effect.sync(() => {
    assert.throws(() => process.kill(pid, 0), /ESRCH/, undefined, `${what} (pid ${pid}) is still there`)
  })

/** Asserts that `pid` is running. */
export const assertRunning = (pid: number, what = "the CLI"): Effect.Effect<void> =>
  Effect.sync(() => {
    assert.isTrue(exists(pid), `${what} (pid ${pid}) should be running`)
  })

/** `state`, `ppid` and process group of a process from `/proc/PID/stat`, `undefined` when it is gone. */
export const procStat = (
  pid: number
): { readonly state: string; readonly ppid: number; readonly pgid: number } | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return { state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]) }
  } catch {
    return undefined
  }
}

const allPids = (): ReadonlyArray<number> => Fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number)

/**
 * Gone, or dead and not reaped (a zombie): an orphan is reparented to PID 1, and PID 1 of this
 * sandbox does not reap, so a killed orphan may stay a zombie. Either way it runs no more.
 */
export const isDead = (pid: number): boolean => {
  const stat = procStat(pid)
  return stat === undefined || stat.state === "Z"
}

/**
 * Fails the test unless `pid` is dead (gone or a zombie) within `timeout`. For a process the run
 * has just SIGKILLed: `kill(2)` returns before the kernel has ended the target, which on a busy
 * machine can take a few milliseconds more; a process that was never killed still fails.
 */
export const awaitDead = (pid: number, what: string, timeout: Duration.DurationInput = "2 seconds") =>
  Effect.suspend(() => isDead(pid) ? Effect.void : Effect.fail(`${what} (pid ${pid}) is still alive`)).pipe(
    Effect.retry(Schedule.spaced("10 millis")),
    Effect.timeoutFail({ duration: timeout, onTimeout: () => `${what} (pid ${pid}) outlived the run` }),
    Effect.orDie
  )

/** The live (not zombie) processes of process group `pgid`. */
export const liveGroupMembers = (pgid: number): ReadonlyArray<number> =>
  allPids().filter((pid) => {
    const stat = procStat(pid)
    return stat !== undefined && stat.pgid === pgid && stat.state !== "Z"
  })

/** The direct children of `ppid` (zombies included) with their command lines. */
export const childrenOf = (
  ppid: number
): ReadonlyArray<{ readonly pid: number; readonly argv: ReadonlyArray<string> }> =>
  allPids().filter((pid) => procStat(pid)?.ppid === ppid).map((pid) => ({ pid, argv: cmdline(pid) }))

/** The live processes of this machine whose command line contains `marker` (one argument equal to it). */
export const liveWithArg = (marker: string): ReadonlyArray<number> =>
  allPids().filter((pid) => !isDead(pid) && cmdline(pid).includes(marker))
