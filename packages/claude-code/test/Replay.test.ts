/**
 * `Replay`: a `ClaudeCode` service answering prompts from recordings. Used as users use it, through
 * `@effect/vitest`'s `layer(...)` and `ClaudeCode.run` / `stream` / `Session.make`; its events and
 * errors are compared with what the library makes of the same output coming from a CLI process.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import * as Replay from "../src/Replay.js"
import * as Session from "../src/Session.js"
import { assertTag, fakeClaude } from "./utils/claudeTest.js"
import { ndjsonFixture } from "./utils/fixtures.js"

const plain = ndjsonFixture("a_plain")
const overloaded = ndjsonFixture("e_529_noretry")
const maxTurns = ndjsonFixture("h_max_turns")
const [init, assistant] = plain.lines as [string, string]
const plainSession = "f121c0a2-da28-4814-af97-b2a28224f1d9"

/** A transcript of one turn in the CLI's shape: the recorded `a_plain` run with another session id and text. */
const turn = (sessionId: string, text: string): ReadonlyArray<string> =>
  plain.lines.map((line) => {
    const json = JSON.parse(line.replaceAll(plainSession, sessionId))
    if (json.type === "assistant") json.message.content = [{ type: "text", text }]
    if (json.type === "result") json.result = text
    return JSON.stringify(json)
  })

const ada = "11111111-1111-4111-8111-111111111111"

/** Every event and the error the stream ended with, if any. */
const collect = (stream: Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>) =>
  Effect.map(Stream.runCollect(Stream.either(stream)), (items) => {
    const all = Chunk.toReadonlyArray(items)
    return {
      events: all.flatMap((item) => Either.isRight(item) ? [item.right] : []),
      error: all.flatMap((item) => Either.isLeft(item) ? [item.left] : [])[0]
    }
  })

/** What the library's decoder makes of `lines`, diagnostics left out. */
const decoded = (lines: ReadonlyArray<string>): ReadonlyArray<ClaudeEvent.ClaudeEvent> =>
  lines.flatMap((line, i) => {
    const event = Either.getOrThrow(ClaudeEvent.decodeLine(line, i + 1))
    return event._tag === "Diagnostic" ? [] : [event]
  })

const recordings: ReadonlyArray<Replay.Recording> = [
  { prompt: "say hi", lines: plain.text },
  { prompt: /overloaded/g, lines: overloaded.lines },
  { prompt: (prompt) => prompt.startsWith("loop"), lines: maxTurns.lines },
  { prompt: "My name is Ada.", lines: turn(ada, "Nice to meet you, Ada.") },
  { prompt: (prompt, options) => prompt === "What is my name?" && options.resume === ada, lines: turn(ada, "Ada.") },
  { prompt: "say hi", lines: turn(ada, "never used: the first match wins") }
]

layer(Replay.layer(recordings))("Replay.layer", (it) => {
  it.effect("run: the fold of the recording; stream: its events, decoded by the library", () =>
    Effect.gen(function*() {
      const result = yield* ClaudeCode.run("say hi")
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(ClaudeCode.stream("say hi")))

      assert.deepStrictEqual(events, decoded(plain.lines))
      assert.deepStrictEqual(result, yield* ClaudeResult.fold(Stream.fromIterable(events)))
      assert.isTrue(result.text.startsWith("Hi from mock API."))
      assert.strictEqual(result.sessionId, plainSession)
    }))

  it.effect("a recorded is_error result: the events, then ClaudeFailure as from a real run", () =>
    Effect.gen(function*() {
      // a global RegExp matches every time (its lastIndex is not used)
      const first = yield* collect(ClaudeCode.stream("the API is overloaded"))
      const second = assertTag(yield* Effect.flip(ClaudeCode.run("overloaded again")), "ClaudeFailure")

      assert.deepStrictEqual(first.events, decoded(overloaded.lines))
      const failure = assertTag(first.error!, "ClaudeFailure")
      assert.strictEqual(failure.apiErrorStatus, 529)
      assert.deepStrictEqual(second, failure)
      assert.include(failure.message, "overloaded (HTTP 529)")
    }))

  it.effect("a predicate: max turns reached, ClaudeFailure with the partial result", () =>
    Effect.gen(function*() {
      const failure = assertTag(yield* Effect.flip(ClaudeCode.run("loop until done", { maxTurns: 1 })), "ClaudeFailure")
      assert.strictEqual(failure.terminalReason, "max_turns")
      assert.deepStrictEqual(failure.result.toolCalls.map((call) => call.name), ["Bash"])
    }))

  it.effect("a prompt no recording matches dies with UnknownPrompt, naming it (abbreviated) and the known prompts", () =>
    Effect.gen(function*() {
      const prompt = "Tell me something new. ".repeat(40)
      const exit = yield* Effect.exit(ClaudeCode.run(prompt))
      // a defect, not a failure: `catchAll` in the program under test cannot swallow it
      assert.isTrue(Exit.isFailure(exit) && Option.isNone(Cause.failureOption(exit.cause)))
      const defect = Exit.isFailure(exit) ? Option.getOrThrow(Cause.dieOption(exit.cause)) : undefined
      assert.instanceOf(defect, Replay.UnknownPrompt)
      const unknown = defect as Replay.UnknownPrompt
      assert.strictEqual(unknown.prompt, prompt)
      assert.deepStrictEqual(unknown.known, [
        "\"say hi\"",
        "/overloaded/g",
        "a predicate",
        "\"My name is Ada.\"",
        "a predicate",
        "\"say hi\""
      ])
      assert.include(unknown.message, "No recording matches the prompt \"Tell me something new. Tell me")
      assert.include(unknown.message, "(720 more characters)")
      assert.include(unknown.message, "Known prompts: \"say hi\", /overloaded/g, a predicate")

      const caught = yield* ClaudeCode.run(prompt).pipe(Effect.catchAll(() => Effect.succeed("fallback")), Effect.exit)
      assert.isTrue(Exit.isFailure(caught))
    }))

  it.effect("options are checked as in a real run: InvalidOptions", () =>
    Effect.gen(function*() {
      const error = assertTag(yield* Effect.flip(ClaudeCode.run("say hi", { maxTurns: 0 })), "InvalidOptions")
      assert.strictEqual(error.option, "maxTurns")
      assertTag(yield* Effect.flip(ClaudeCode.run("   ")), "InvalidOptions")
    }))

  it.scoped("Session.make: each turn is matched by its prompt and sees the session's resume id", () =>
    Effect.gen(function*() {
      const session = yield* Session.make({ model: "claude-test" })
      const first = yield* session.run("My name is Ada.")
      const second = yield* session.run("What is my name?")

      assert.strictEqual(first.text, "Nice to meet you, Ada.")
      assert.strictEqual(second.text, "Ada.")
      assert.deepStrictEqual(yield* session.sessionId, Option.some(ada))
    }))

  it.effect("calls: every run asked for, with its options and the recording that answered", () =>
    Effect.gen(function*() {
      const replay = yield* Replay.Replay
      const before = (yield* replay.calls).length
      yield* ClaudeCode.run("say hi", { model: "claude-x" })
      yield* Effect.exit(ClaudeCode.run("nobody recorded this"))

      const calls = (yield* replay.calls).slice(before)
      assert.deepStrictEqual(calls, [
        { prompt: "say hi", options: { model: "claude-x" }, recording: "\"say hi\"" },
        { prompt: "nobody recorded this", options: {}, recording: undefined }
      ])
    }))
})

describe("Replay", () => {
  it.effect("files: a path or a file: URL, an object of exact prompts; a missing file fails the layer with RecordingError", () =>
    Effect.gen(function*() {
      const dir = yield* ClaudeEnv.tempDirectory("claude-replay-")
      const file = Path.join(dir, "hi.ndjson")
      Fs.writeFileSync(file, plain.text)

      const fromPath = yield* Replay.make({ "say hi": file })
      const fromUrl = yield* Replay.make([{ prompt: "say hi", file: Url.pathToFileURL(file) }])
      assert.deepStrictEqual(yield* fromPath.run("say hi"), yield* fromUrl.run("say hi"))
      assert.strictEqual((yield* fromPath.run("say hi")).sessionId, plainSession)

      const missing = Path.join(dir, "missing.ndjson")
      const error = yield* Effect.flip(Layer.build(Replay.layer({ "say hi": file, other: missing })))
      assert.strictEqual(error._tag, "RecordingError")
      assert.strictEqual(error.path, missing)
      assert.include(error.message, "ENOENT")
    }).pipe(Effect.scoped))
})

/**
 * The same output from the fake CLI (a process, over pipes) and from a replay: the same events and
 * the same error (a process's exit code is not in a recording: the replay's is null).
 */
describe.concurrent("Replay ends like a real run", () => {
  const cases = [
    { name: "a recorded API error: ClaudeFailure", lines: overloaded.lines },
    {
      name: "no result: ProcessError with the non-JSON lines and the partial result",
      lines: [init, "fatal: something went wrong", assistant]
    },
    {
      name: "a malformed known line: DecodeError naming it, after the events before it",
      lines: [init, assistant, "{\"type\":\"assistant\",\"message\":42}", plain.lines[2]!]
    }
  ]
  for (const { lines, name } of cases) {
    it.scopedLive(name, () =>
      Effect.gen(function*() {
        const cwd = yield* ClaudeEnv.tempDirectory("claude-replay-")
        const file = Path.join(cwd, "run.ndjson")
        Fs.writeFileSync(file, lines.join("\n") + "\n")
        const options: ClaudeCode.Options = {
          executable: fakeClaude,
          cwd,
          transport: "pipe",
          env: { FAKE_CLAUDE_MODE: "fixture", FAKE_CLAUDE_FIXTURE: file }
        }
        const replay = yield* Replay.make({ go: file })
        const real = yield* collect(ClaudeCode.stream("go", options))
        const replayed = yield* collect(replay.stream("go"))
        assert.deepStrictEqual(replayed.events, real.events)

        // `stream` and `run` end alike, except that `run` keeps the text for the partial result
        const pairs = [
          [real.error, replayed.error],
          [yield* Effect.flip(ClaudeCode.run("go", options)), yield* Effect.flip(replay.run("go"))]
        ] as const
        for (const [want, got] of pairs) {
          assert.isDefined(want)
          assert.strictEqual(got?._tag, want!._tag)
          if (want!._tag === "ProcessError") {
            assert.strictEqual(want.exitCode, 0)
            assert.deepStrictEqual({ ...got }, { ...want, exitCode: null })
          } else {
            assert.deepStrictEqual({ ...got }, { ...want })
            assert.strictEqual(got!.message, want!.message)
          }
        }
      }))
  }
})
