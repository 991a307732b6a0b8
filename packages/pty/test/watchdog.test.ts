import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { awaitDead, childPids, isDead, quickShutdown } from "./helpers.js"

const repositoryRoot = path.resolve(import.meta.dirname, "../../..")

/** The command line of a process, as arguments. */
const cmdline = (pid: number): Array<string> => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
  } catch {
    return []
  }
}

const isWatchdog = (pid: number) => cmdline(pid).includes("effect-pty-watchdog")

/** The terminals (masters and sides) that a process holds open. */
const terminalsOf = (pid: number): Array<string> => {
  const held: Array<string> = []
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`)
      if (/^\/dev\/(ptmx|pts\/)/.test(target)) held.push(`${fd} -> ${target}`)
    } catch {
      // closed since it was listed
    }
  }
  return held
}

/** The watchdogs whose parent is `parent`. */
const watchdogsOf = (parent: number): Array<number> => childPids(parent).filter(isWatchdog)

/**
 * Runs the parent fixture (fixtures/parent.ts: a child on a terminal and one on pipes, both guarded
 * and both ignoring SIGINT, SIGTERM and SIGHUP, and a third whose guard was closed), SIGKILLs it
 * (after SIGKILLing its watchdog and waiting for the next one, with `killWatchdogFirst`), and
 * checks that the guarded children got the interrupt signal, then died, and the third did not.
 * Each watchdog, started while the first child's terminal is open, must not hold it: node-pty
 * 1.1.0 leaves a terminal's master inheritable, and the watchdog lives as long as its parent.
 *
 * A replacement gets the guards still armed as its argument, or, with `extraGuards` enough that
 * they do not fit in one (64 KiB), through its pipe once started.
 */
const parentDies = (options: { readonly killWatchdogFirst: boolean; readonly extraGuards?: number }) =>
  Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "watchdog-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const intFile = path.join(dir, "int")
    const parent = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "fixtures/parent.ts")],
      {
        cwd: repositoryRoot,
        env: { ...process.env, INT_FILE: intFile, EXTRA_GUARDS: String(options.extraGuards ?? 0) },
        stdio: ["pipe", "pipe", "inherit"]
      }
    )
    yield* Effect.addFinalizer(() => Effect.sync(() => parent.kill("SIGKILL")))
    const pids = yield* Effect.async<{ pty: number; pipe: number; disarmed: number }, string>((resume) => {
      let out = ""
      const onData = (data: Buffer) => {
        out += data.toString()
        const end = out.indexOf("\n")
        if (end < 0) return
        parent.stdout.off("data", onData)
        resume(Effect.succeed(JSON.parse(out.slice(0, end))))
      }
      parent.stdout.on("data", onData)
      parent.once("exit", (code, signal) => resume(Effect.fail(`parent exited (${code ?? signal}): ${out}`)))
    })
    const exited = Effect.async<void>((resume) => {
      if (parent.exitCode !== null || parent.signalCode !== null) return resume(Effect.void)
      parent.once("exit", () => resume(Effect.void))
    })
    // what a failed test leaves (the guarded children ignore all but SIGKILL)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const pid of [pids.disarmed, pids.pty, pids.pipe]) if (!isDead(pid)) process.kill(pid, "SIGKILL")
      })
    )
    assert.isFalse(isDead(pids.pty))
    assert.isFalse(isDead(pids.pipe))
    assert.isFalse(isDead(pids.disarmed))
    let watchdogs = watchdogsOf(parent.pid!)
    assert.strictEqual(watchdogs.length, 1, "one watchdog guards both children")
    assert.deepStrictEqual(terminalsOf(watchdogs[0]!), [], "the watchdog holds no terminal")
    if (options.killWatchdogFirst) {
      const killed = watchdogs[0]!
      process.kill(killed, "SIGKILL")
      // the parent reaps it and starts another
      watchdogs = yield* Effect.suspend(() => {
        const found = watchdogsOf(parent.pid!).filter((pid) => pid !== killed)
        return found.length === 1 ? Effect.succeed(found) : Effect.fail("no new watchdog yet")
      }).pipe(
        Effect.retry(Schedule.spaced("10 millis")),
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "no watchdog took over" })
      )
      assert.deepStrictEqual(terminalsOf(watchdogs[0]!), [], "the new watchdog holds no terminal")
      const argument = cmdline(watchdogs[0]!)[4]
      if (options.extraGuards === undefined) {
        assert.include(argument, ` ${pids.pipe} INT `, "the guards are its argument")
      } else {
        assert.strictEqual(argument, "", "too many guards for its argument: they go through its pipe")
        // not killed before it has written them
        yield* Effect.async<void>((resume) => {
          parent.stdout.on("data", (data: Buffer) => {
            if (data.toString().includes("synced")) resume(Effect.void)
          })
          parent.stdin.write("sync\n")
        })
      }
    }

    parent.kill("SIGKILL")
    yield* exited
    yield* awaitDead(pids.pty, "10 seconds")
    yield* awaitDead(pids.pipe, "10 seconds")
    // both got the interrupt signal first (and ignored it)
    assert.strictEqual(fs.readFileSync(intFile, "utf8"), "int\nint\n")
    // its work done, the watchdog exits, and it left the child whose guard was closed alone
    yield* awaitDead(watchdogs[0]!, "10 seconds")
    assert.isFalse(isDead(pids.disarmed), "a child whose guard was closed is not signalled")
  }).pipe(Effect.scoped)

describe("watchdog", () => {
  it.live("one per process, shared by every child, and kept for the next ones", () =>
    Effect.gen(function*() {
      const spawnSleep = PtyProcess.spawn({ command: "sleep", args: ["60"], shutdown: quickShutdown(5) })
      const during = yield* Effect.scoped(Effect.gen(function*() {
        const a = yield* spawnSleep
        const b = yield* spawnSleep
        const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" })
        yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
        yield* PtyProcess.watchdog(child.pid!)
        assert.isFalse(isDead(a.pid) || isDead(b.pid))
        return childPids().filter(isWatchdog)
      }))
      assert.strictEqual(during.length, 1, "one watchdog for two terminals and a child on pipes")
      assert.deepStrictEqual(childPids().filter(isWatchdog), during, "it outlives the children it guarded")
      const next = yield* Effect.scoped(Effect.map(spawnSleep, () => childPids().filter(isWatchdog)))
      assert.deepStrictEqual(next, during, "the next child is guarded by the same one")
    }))

  it.live("when this process dies (SIGKILL), the children it guards are interrupted, then killed", () =>
    parentDies({ killWatchdogFirst: false }))

  it.live("a watchdog killed while it guards is replaced, with the guards still armed", () =>
    parentDies({ killWatchdogFirst: true }))

  it.live("a watchdog replaced while it guards more than fit in its argument gets them through its pipe", () =>
    parentDies({ killWatchdogFirst: true, extraGuards: 3000 }))
})
