import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { awaitDead, childPids, isDead, isGone, quickShutdown, reader, sh } from "./helpers.js"

const tempFile = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "effect-pty-")), name)

/** Runs `body` in its own scope; returns its result and how long closing the scope took. */
const timedScope = <A, E>(body: Effect.Effect<A, E, Scope.Scope>) =>
  Effect.gen(function*() {
    let closing = 0
    const result = yield* Effect.scoped(Effect.tap(body, () => Effect.sync(() => closing = Date.now())))
    return { result, closeMillis: Date.now() - closing }
  })

/** A shell child that appends each SIGINT / SIGTERM it receives to the file `$0`, says "ready", and runs on. */
const logSignals =
  "trap 'echo INT >> \"$0\"' INT; trap 'echo TERM >> \"$0\"' TERM; echo ready; while :; do sleep 1; done"

describe("shutdown when the scope closes", () => {
  it.live("escalates to SIGKILL for a child that ignores SIGINT and SIGTERM, within the configured bounds", () =>
    Effect.gen(function*() {
      const log = tempFile("signals.log")
      const shutdown = {
        gracePeriod: "100 millis",
        interruptSignal: "SIGINT",
        interruptTimeout: "100 millis",
        terminateTimeout: "100 millis",
        killTimeout: "1 second"
      } as const
      const { closeMillis, result: proc } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn({
          command: "sh",
          args: [
            "-c",
            logSignals,
            log
          ],
          shutdown
        })
        yield* (yield* reader(proc)).until("ready")
        return proc
      }))
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGKILL" }))
      assert.isTrue(isGone(proc.pid))
      // it caught both, in order, and only SIGKILL ended it
      assert.strictEqual(fs.readFileSync(log, "utf8"), "INT\nTERM\n")
      // not before grace + interrupt + terminate had passed; well within them plus killTimeout
      assert.isAtLeast(closeMillis, 300 - 5)
      assert.isBelow(closeMillis, 300 + 1000 + 1500)
      fs.rmSync(path.dirname(log), { recursive: true })
    }))

  it.live("lets a child finish on its own within the grace period, without signals", () =>
    Effect.gen(function*() {
      const log = tempFile("signals.log")
      const { result: proc } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn({
          command: "sh",
          args: ["-c", "trap 'echo INT >> \"$0\"' INT TERM; echo ready; sleep 0.3; exit 5", log],
          shutdown: { gracePeriod: "10 seconds" }
        })
        yield* (yield* reader(proc)).until("ready")
        return proc
      }))
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: 5, signal: null }))
      assert.isFalse(fs.existsSync(log))
      fs.rmSync(path.dirname(log), { recursive: true })
    }))

  it.live("stops an ordinary child with the interrupt signal", () =>
    Effect.gen(function*() {
      const { closeMillis, result: proc } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(
          sh("echo ready; exec sleep 60", { shutdown: { gracePeriod: "100 millis", interruptSignal: "SIGHUP" } })
        )
        yield* (yield* reader(proc)).until("ready")
        return proc
      }))
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGHUP" }))
      assert.isAtLeast(closeMillis, 100 - 5)
      assert.isBelow(closeMillis, 100 + 1000 + 1500)
    }))

  it.live("does not wait when the child has already exited", () =>
    Effect.gen(function*() {
      const { closeMillis, result: proc } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(sh("exit 0", { shutdown: { gracePeriod: "10 seconds" } }))
        yield* proc.exitStatus
        return proc
      }))
      assert.isTrue(isGone(proc.pid))
      assert.isBelow(closeMillis, 1000)
    }))

  it.live("a child blocked on output nobody reads can still exit on its own during the grace period", () =>
    Effect.gen(function*() {
      const { result: proc } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(
          sh("head -c 3000000 /dev/zero | tr '\\0' q; exit 4", {
            highWaterMark: 4096,
            shutdown: { gracePeriod: "20 seconds" }
          })
        )
        // nobody reads: the child is blocked writing when the scope closes
        assert.isTrue(yield* proc.isRunning)
        return proc
      }))
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: 4, signal: null }))
    }))

  it.live("takes the child's process group with it: a grandchild ignoring every catchable signal", () =>
    Effect.gen(function*() {
      const { result: { grandchild, proc } } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(
          sh("(trap '' HUP INT TERM; echo \"grandchild=$(exec sh -c 'echo $PPID')\"; exec sleep 60) & wait", {
            shutdown: quickShutdown(100)
          })
        )
        const text = yield* (yield* reader(proc)).until("\r\n")
        const grandchild = Number(/grandchild=(\d+)/.exec(text)?.[1])
        assert.isFalse(isDead(grandchild))
        return { grandchild, proc }
      }))
      // the leader went on SIGINT; the grandchild ignored it and was killed with the group
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGINT" }))
      yield* awaitDead(grandchild)
    }))

  it.live("a child that closed its terminal and runs on is stopped by the escalation, not hung up when its output ends", () =>
    Effect.gen(function*() {
      const log = tempFile("signals.log")
      const { result: proc } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn({
          command: "sh",
          args: [
            "-c",
            `trap 'echo HUP >> "$0"' HUP; trap 'echo INT >> "$0"; exit 7' INT; echo ready; exec 0<&- 1>&- 2>&-; while :; do sleep 0.05; done`,
            log
          ],
          shutdown: { gracePeriod: "300 millis" }
        })
        // the output ends when the child closes the terminal's last descriptor
        assert.strictEqual(yield* Stream.mkString(proc.output), "ready\r\n")
        assert.isTrue(yield* proc.isRunning)
        return proc
      }))
      // the terminal was hung up only after the child was gone: it caught the interrupt alone
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: 7, signal: null }))
      assert.strictEqual(fs.readFileSync(log, "utf8"), "INT\n")
      fs.rmSync(path.dirname(log), { recursive: true })
    }))
  it.live("shutdown on demand, then the finalizer has nothing left to do", () =>
    Effect.gen(function*() {
      const { closeMillis, result } = yield* timedScope(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(sh("echo ready; exec sleep 60", { shutdown: quickShutdown(50) }))
        yield* (yield* reader(proc)).until("ready")
        const status = yield* proc.shutdown
        assert.isFalse(yield* proc.isRunning)
        return status
      }))
      assert.deepStrictEqual(result, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGINT" }))
      assert.isBelow(closeMillis, 1000)
    }))
})

describe("interruption", () => {
  it.live("at any point during spawn leaves no process behind", () =>
    Effect.gen(function*() {
      const before = childPids().length
      const spawned: Array<number> = []
      for (let yields = 0; yields < 25; yields++) {
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const proc = yield* PtyProcess.spawn(sh("exec sleep 60", { shutdown: quickShutdown(20) }))
          spawned.push(proc.pid)
          return yield* Effect.never
        })))
        for (let i = 0; i < yields; i++) yield* Effect.yieldNow()
        yield* Fiber.interrupt(fiber)
      }
      assert.isAbove(spawned.length, 0)
      for (const pid of spawned) assert.isTrue(isGone(pid))
      assert.strictEqual(childPids().length, before)
    }))

  it.live("while reading leaves no process behind", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<number>()
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(
          sh("while :; do echo tick; sleep 0.01; done", { shutdown: quickShutdown(50) })
        )
        yield* proc.output.pipe(Stream.tap(() => Deferred.succeed(started, proc.pid)), Stream.runDrain)
      })))
      const pid = yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(isGone(pid))
    }))

  it.live("during an explicit shutdown still completes the escalation", () =>
    Effect.gen(function*() {
      const shuttingDown = yield* Deferred.make<number>()
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn(
          sh("trap '' INT TERM; echo ready; while :; do sleep 1; done", { shutdown: quickShutdown(100) })
        )
        yield* (yield* reader(proc)).until("ready")
        yield* Deferred.succeed(shuttingDown, proc.pid)
        return yield* proc.shutdown
      })))
      const pid = yield* Deferred.await(shuttingDown)
      // interrupted in the middle of the escalation: the finalizer runs its own, to the end
      yield* Fiber.interrupt(fiber)
      assert.isTrue(isGone(pid))
    }))

  it.live("of the fiber closing the scope does not cut the finalizer short", () =>
    Effect.gen(function*() {
      const log = tempFile("signals.log")
      const ready = yield* Deferred.make<number>()
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const proc = yield* PtyProcess.spawn({
          command: "sh",
          args: [
            "-c",
            logSignals,
            log
          ],
          shutdown: quickShutdown(100)
        })
        yield* (yield* reader(proc)).until("ready")
        yield* Deferred.succeed(ready, proc.pid)
        return yield* Effect.never
      })))
      const pid = yield* Deferred.await(ready)
      // two interruptions: the second arrives while the first one's finalizer is escalating
      const first = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* Effect.sleep("150 millis")
      yield* Fiber.interrupt(fiber)
      yield* Fiber.join(first)
      assert.isTrue(isGone(pid))
      // every step ran: the child saw SIGINT and SIGTERM before SIGKILL
      assert.strictEqual(fs.readFileSync(log, "utf8"), "INT\nTERM\n")
      fs.rmSync(path.dirname(log), { recursive: true })
    }))
})
