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
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as ClaudeCode from "../src/ClaudeCode.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import type * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import { assertTag, fakeClaude, fakeRun, transports } from "./utils/claudeTest.js"
import { ndjsonFixture } from "./utils/fixtures.js"
import { awaitDead, cliChildren, isDead } from "./utils/processes.js"

/** A fresh working directory and options that run the fake in `mode` over `transport`. */
const fake = (transport: ClaudeCode.Transport, mode: string, env: Record<string, string> = {}) =>
  fakeRun("faults", transport, mode, env)

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
      yield* awaitDead(pidIn(file("grandchild")), "the grandchild")
    }))

  it.scopedLive("exits without a result, a grandchild holding its output open: ProcessError, the grandchild is gone", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "grandchild-no-result")
      const { error, events } = yield* collect(ClaudeCode.stream("bye", options))

      assert.deepStrictEqual(events.map((event) => event._tag), ["SystemInit"])
      const failure = assertTag(error!, "ProcessError")
      assert.strictEqual(failure.exitCode, 3)
      assert.isTrue(isDead(pidIn(file("pid"))))
      yield* awaitDead(pidIn(file("grandchild")), "the grandchild")
    }))

  it.scopedLive(
    "exits without a result, a grandchild that left its process group holding its output open: ended by the PTY, by idleTimeout on pipes",
    () =>
      Effect.gen(function*() {
        const { file, options } = yield* fake(transport, "grandchild-detached-no-result", { FAKE_CLAUDE_SIZE: "20000" })
        // killing the CLI's group does not reach this grandchild: the test stops it itself
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            try {
              process.kill(pidIn(file("grandchild")), "SIGKILL")
            } catch {
              // already gone
            }
          })
        )
        const { error, events } = yield* collect(ClaudeCode.stream("bye", { ...options, idleTimeout: "2 seconds" }))

        assert.deepStrictEqual(events.map((event) => event._tag), ["SystemInit"])
        assert.isTrue(isDead(pidIn(file("pid"))))
        if (transport === "pty") {
          // the terminal's output ends once it is quiet after the exit, whoever holds it
          assert.strictEqual(assertTag(error!, "ProcessError").exitCode, 3)
        } else {
          // a pipe's end of file never comes, and the pull waiting for it is not raced (see pipe.ts)
          assertTag(error!, "IdleTimeout")
        }
      })
  )

  it.scopedLive("a single 100 MB line arrives whole", () =>
    Effect.gen(function*() {
      const size = 100 * 1024 * 1024
      const { options } = yield* fake(transport, "big-result", { FAKE_CLAUDE_SIZE: String(size) })
      const result = yield* ClaudeCode.run("big", options)

      assert.strictEqual(result.text.length, size)
      assert.isTrue(/^y+$/.test(result.text))
    }), 120_000)
})

// -----------------------------------------------------------------------------
// Bad input on stdout, case by case
// -----------------------------------------------------------------------------

const encoder = new TextEncoder()
/** Text and raw bytes, concatenated. */
const bytes = (...parts: ReadonlyArray<string | ReadonlyArray<number>>): Uint8Array => {
  const arrays = parts.map((part) => typeof part === "string" ? encoder.encode(part) : Uint8Array.from(part))
  const out = new Uint8Array(arrays.reduce((n, array) => n + array.length, 0))
  let offset = 0
  for (const array of arrays) {
    out.set(array, offset)
    offset += array.length
  }
  return out
}

const [init, assistant, result] = ndjsonFixture("a_plain").lines as [string, string, string]
const assistantText: string = JSON.parse(assistant).message.content[0].text
const [beforeText, afterText] = assistant.split(JSON.stringify(assistantText).slice(1, 9)) as [string, string]

interface BadInput {
  readonly name: string
  readonly output: Uint8Array
  /** The events of the run, by tag. */
  readonly events: ReadonlyArray<ClaudeEvent.Tag>
  /** How it ends: "success", or the error's tag. */
  readonly end: "success" | ClaudeError.ClaudeCodeError["_tag"]
  /** Line numbers that must be logged (Debug) as not being events. */
  readonly logged: ReadonlyArray<number>
  readonly check?: (run: {
    readonly events: ReadonlyArray<ClaudeEvent.ClaudeEvent>
    readonly error: ClaudeError.ClaudeCodeError | undefined
  }) => void
}

const badInputs: ReadonlyArray<BadInput> = [
  {
    name: "invalid UTF-8 inside a line: U+FFFD in the event",
    output: bytes(init, "\n", beforeText, [0xff, 0xc3, 0x28], afterText, "\n", result, "\n"),
    events: ["SystemInit", "Assistant", "Result"],
    end: "success",
    logged: [],
    check: ({ events }) => {
      const event = events[1]!
      assert(event._tag === "Assistant" && event.message.content[0]!.type === "text")
      assert.isTrue(event.message.content[0]!.text.startsWith("\ufffd\ufffd("), event.message.content[0]!.text)
    }
  },
  {
    name: "invalid UTF-8, NUL bytes and escape sequences between lines: logged, the events intact",
    output: bytes(init, "\n", [0xc3, 0x28, 0xff], "\n\0\0\n\x1b[31m\x1b[0m\n", assistant, "\n", result, "\n"),
    events: ["SystemInit", "Assistant", "Result"],
    end: "success",
    logged: [2, 3]
  },
  {
    name: "escape sequences inside and around lines: removed",
    output: bytes(
      "\x1b[?25l",
      init,
      "\x1b[0m\r\n{\x1b[1m",
      assistant.slice(1),
      "\r\n",
      result,
      "\x1b]0;title\x07\r\n\x1b[?25h"
    ),
    events: ["SystemInit", "Assistant", "Result"],
    end: "success",
    logged: []
  },
  {
    name: "a NUL byte after a line's JSON: that line is not an event, and is logged",
    output: bytes(init, "\n", assistant, "\0\n", result, "\n"),
    events: ["SystemInit", "Result"],
    end: "success",
    logged: [2]
  },
  {
    name: "\\r without \\n between two lines: one line that is not JSON, logged",
    output: bytes(init, "\r", assistant, "\n", result, "\r"),
    events: ["Result"],
    end: "success",
    logged: [1]
  },
  {
    name: "a truncated final line and exit 0: ProcessError with that line",
    output: bytes(init, "\n", assistant, "\n", result.slice(0, 60)),
    events: ["SystemInit", "Assistant"],
    end: "ProcessError",
    logged: [3],
    check: ({ error }) => {
      const failure = assertTag(error!, "ProcessError")
      assert.strictEqual(failure.exitCode, 0)
      assert.deepStrictEqual(failure.diagnostics, [result.slice(0, 60)])
    }
  },
  {
    name: "JSON that is not an object: logged, not events",
    output: bytes(init, "\n[1,2]\n\"text\"\n42\nnull\n", assistant, "\n", result, "\n"),
    events: ["SystemInit", "Assistant", "Result"],
    end: "success",
    logged: [2, 3, 4, 5]
  },
  {
    name: "a known type with wrong-shaped fields: DecodeError naming the line",
    output: bytes(init, "\n{\"type\":\"assistant\",\"message\":\"oops\"}\n", assistant, "\n", result, "\n"),
    events: ["SystemInit"],
    end: "DecodeError",
    logged: [],
    check: ({ error }) => {
      const failure = assertTag(error!, "DecodeError")
      assert.strictEqual(failure.lineNumber, 2)
      assert.strictEqual(failure.line, "{\"type\":\"assistant\",\"message\":\"oops\"}")
      assert.include(failure.message, "line 2")
    }
  },
  {
    name: "unknown types: passed through as events",
    output: bytes(
      init,
      "\n{\"type\":\"brand_new\",\"x\":1}\n{\"type\":\"system\",\"subtype\":\"brand_new\",\"y\":[2]}\n",
      assistant,
      "\n",
      result,
      "\n"
    ),
    events: ["SystemInit", "Unknown", "SystemOther", "Assistant", "Result"],
    end: "success",
    logged: [],
    check: ({ events }) => {
      const unknown = events[1]!
      assert(unknown._tag === "Unknown")
      assert.deepStrictEqual(unknown.raw, { type: "brand_new", x: 1 })
    }
  }
]

describe.concurrent.each(transports)("bad input on stdout over %s", (transport) => {
  for (const input of badInputs) {
    it.scopedLive(input.name, () =>
      Effect.gen(function*() {
        const { file, options } = yield* fake(transport, "fixture")
        Fs.writeFileSync(file("output.bin"), input.output)
        const logs: Array<string> = []
        const logger = Logger.make(({ message }) => {
          logs.push(Array.isArray(message) ? message.join(" ") : String(message))
        })
        const run = yield* collect(
          ClaudeCode.stream("bad input", {
            ...options,
            env: { ...options.env, FAKE_CLAUDE_FIXTURE: file("output.bin") }
          })
        ).pipe(Logger.withMinimumLogLevel(LogLevel.Debug), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))

        assert.deepStrictEqual(run.events.map((event) => event._tag), input.events)
        assert.strictEqual(run.error?._tag ?? "success", input.end, run.error?.message)
        if (input.end === "success") {
          assert.isTrue(ClaudeResult.isSuccess(yield* ClaudeResult.fold(Stream.fromIterable(run.events))))
        }
        const logged = logs.flatMap((log) => {
          const match = /^Claude Code output line (\d+) is not a JSON object/.exec(log)
          return match === null ? [] : [Number(match[1])]
        })
        assert.deepStrictEqual(logged, input.logged, JSON.stringify(logs))
        input.check?.(run)
      }))
  }
})
