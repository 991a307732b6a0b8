import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { awaitDead, childPids, isDead, isGone, quickShutdown } from "./helpers.js"

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

describe("watchdog", () => {
  it.live("closing its scope disarms it: it signals nothing and is reaped", () =>
    Effect.gen(function*() {
      const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" })
      yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
      const watchdog = yield* Effect.scoped(Effect.gen(function*() {
        yield* PtyProcess.watchdog(child.pid!, { interruptTimeout: "10 millis", terminateTimeout: "10 millis" })
        const found = childPids().filter(isWatchdog)
        assert.strictEqual(found.length, 1)
        return found[0]!
      }))

      assert.isTrue(isGone(watchdog), "the watchdog is reaped when the scope has closed")
      assert.isFalse(isDead(child.pid!), "the guarded child was not signalled")
    }).pipe(Effect.scoped))

  it.live("a PtyProcess has one while it runs, gone with its scope", () =>
    Effect.gen(function*() {
      const before = childPids().filter(isWatchdog)
      const during = yield* Effect.scoped(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn({ command: "sleep", args: ["60"], shutdown: quickShutdown(5) })
        return childPids().filter((pid) => isWatchdog(pid) && cmdline(pid).includes(String(proc.pid)))
      }))
      assert.strictEqual(during.length, 1)
      assert.isTrue(isGone(during[0]!))
      assert.deepStrictEqual(childPids().filter(isWatchdog), before)
    }))

  it.live("when this process dies (SIGKILL), the children it guards are interrupted, then killed", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "watchdog-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const intFile = path.join(dir, "int")
      const parent = spawn(
        process.execPath,
        ["--import", "tsx", path.join(import.meta.dirname, "fixtures/parent.ts")],
        {
          cwd: repositoryRoot,
          env: { ...process.env, INT_FILE: intFile },
          stdio: ["ignore", "pipe", "inherit"]
        }
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => parent.kill("SIGKILL")))
      const pids = yield* Effect.async<{ pty: number; pipe: number }, string>((resume) => {
        let out = ""
        parent.stdout.on("data", (data: Buffer) => {
          out += data.toString()
          if (out.includes("\n")) resume(Effect.succeed(JSON.parse(out)))
        })
        parent.once("exit", (code, signal) => resume(Effect.fail(`parent exited (${code ?? signal}): ${out}`)))
      })
      const exited = Effect.async<void>((resume) => {
        if (parent.exitCode !== null || parent.signalCode !== null) return resume(Effect.void)
        parent.once("exit", () => resume(Effect.void))
      })
      assert.isFalse(isDead(pids.pty))
      assert.isFalse(isDead(pids.pipe))

      parent.kill("SIGKILL")
      yield* exited
      yield* awaitDead(pids.pty, "10 seconds")
      yield* awaitDead(pids.pipe, "10 seconds")
      // both got the interrupt signal first (and ignored it)
      assert.strictEqual(fs.readFileSync(intFile, "utf8"), "int\nint\n")
    }).pipe(Effect.scoped))
})
