import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { childPids, openFds, quickShutdown, reader } from "./helpers.js"

describe("resources", () => {
  it.live("500 spawn/close cycles leave no file descriptor and no process behind", () =>
    Effect.gen(function*() {
      const cycle = (options: PtyProcess.SpawnOptions, read: boolean) =>
        Effect.scoped(Effect.gen(function*() {
          const proc = yield* PtyProcess.spawn(options)
          if (read) yield* Stream.runDrain(proc.output)
          return proc.pid
        }))
      // warm up: the native module, libuv's threadpool and signal handling open fds once
      yield* cycle({ command: "true" }, true)
      const fds = openFds()
      const children = childPids().length

      for (let i = 0; i < 450; i++) {
        // read to the end, or never read at all
        yield* cycle({ command: "true" }, i % 2 === 0)
      }
      // 30 that are still running when the scope closes (stopped by SIGINT after 5 ms)
      for (let i = 0; i < 30; i++) {
        yield* cycle({ command: "sleep", args: ["60"], shutdown: quickShutdown(5) }, false)
      }
      // and 20 whose terminal is still held open by a background process when the scope closes:
      // no end of file ever closes that one, only the release does, before the scope is closed
      for (let i = 0; i < 20; i++) {
        yield* Effect.scoped(Effect.gen(function*() {
          const proc = yield* PtyProcess.spawn({
            command: "sh",
            args: ["-c", "(trap '' HUP; echo trapped; exec sleep 60) & read go"],
            shutdown: quickShutdown(5)
          })
          const out = yield* reader(proc)
          yield* out.until("trapped")
          yield* proc.write("\n")
          yield* proc.exitStatus
        }))
        assert.strictEqual(openFds(), fds)
      }

      assert.strictEqual(openFds(), fds)
      assert.strictEqual(childPids().length, children)
    }), { timeout: 60_000 })
})
