/**
 * The fault matrix beyond ClaudeCode.fake.test.ts, on both transports: a CLI that closes its
 * output but does not exit, one that exits but leaves a grandchild holding its output open (with
 * and without a result), and bad input on stdout, case by case. Every case must end, in a
 * defined event or a typed error, and leave no process behind.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import type * as ClaudeEvent from "../src/ClaudeEvent.js"
import { assertTag, fakeClaude, quickShutdown, transports } from "./utils/claudeTest.js"
import { cliChildren, isDead } from "./utils/processes.js"

/** A fresh working directory and options that run the fake in `mode` over `transport`. */
const fake = (transport: ClaudeCode.Transport, mode: string, env: Record<string, string> = {}) =>
  Effect.map(ClaudeEnv.tempDirectory("claude-faults-"), (cwd) => ({
    cwd,
    file: (name: string) => Path.join(cwd, name),
    options: {
      executable: fakeClaude,
      cwd,
      transport,
      env: {
        FAKE_CLAUDE_MODE: mode,
        FAKE_CLAUDE_PID_FILE: Path.join(cwd, "pid"),
        FAKE_CLAUDE_GRANDCHILD_PID_FILE: Path.join(cwd, "grandchild"),
        ...env
      },
      shutdown: quickShutdown
    } satisfies ClaudeCode.Options
  }))

/** Every event and the error, if any; a run that does not end within `limit` fails the test (it hangs). */
const collect = (
  stream: Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>,
  limit: Duration.DurationInput = "30 seconds"
) =>
  Stream.runCollect(Stream.either(stream)).pipe(
    Effect.map((items) => {
      const all = Chunk.toReadonlyArray(items)
      return {
        events: all.flatMap((item) => Either.isRight(item) ? [item.right] : []),
        error: all.flatMap((item) => Either.isLeft(item) ? [item.left] : [])[0]
      }
    }),
    Effect.timeoutFail({
      duration: limit,
      onTimeout: () => `the run did not end within ${Duration.format(limit)}: it hangs`
    }),
    Effect.orDie
  )

const pidIn = (file: string) => Number(Fs.readFileSync(file, "utf8"))

describe.concurrent.each(transports)("faults over %s", (transport) => {
  it.scopedLive("closes its output but does not exit: ProcessError once it is stopped, nothing left", () =>
    Effect.gen(function*() {
      const { cwd, file, options } = yield* fake(transport, "close-output")
      const { error, events } = yield* collect(ClaudeCode.stream("close", options))

      assert.deepStrictEqual(events.map((event) => event._tag), ["SystemInit"])
      const failure = assertTag(error!, "ProcessError")
      // it did not exit by itself: the escalation's SIGINT ended it
      assert.strictEqual(failure.signal, "SIGINT")
      assert.isTrue(isDead(pidIn(file("pid"))))
      assert.deepStrictEqual(cliChildren(fakeClaude, cwd), [])
    }))

  it.scopedLive("exits after its result, a grandchild holding its output open: the result, then the grandchild is gone", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "grandchild")
      const { error, events } = yield* collect(ClaudeCode.stream("bye", options))

      assert.isUndefined(error)
      assert.deepStrictEqual(events.map((event) => event._tag), ["SystemInit", "Assistant", "Result"])
      assert.isTrue(isDead(pidIn(file("pid"))))
      assert.isTrue(isDead(pidIn(file("grandchild"))), "the grandchild outlived the run")
    }))

  it.scopedLive("exits without a result, a grandchild holding its output open: ProcessError, the grandchild is gone", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "grandchild-no-result")
      const { error, events } = yield* collect(ClaudeCode.stream("bye", options))

      assert.deepStrictEqual(events.map((event) => event._tag), ["SystemInit"])
      const failure = assertTag(error!, "ProcessError")
      assert.strictEqual(failure.exitCode, 3)
      assert.isTrue(isDead(pidIn(file("pid"))))
      assert.isTrue(isDead(pidIn(file("grandchild"))), "the grandchild outlived the run")
    }))
})
