/**
 * The `record` option on both transports: the real CLI against the loopback model server (the
 * recording decodes to exactly the events and result of the run, and replays to them through the
 * fake CLI and through `Replay`), and the fake CLI for what the real one cannot be made to do
 * (non-JSON lines, a crash mid-line, an interrupted run, a file that cannot be opened or written).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import * as ModelServer from "../src/ModelServer.js"
import * as Replay from "../src/Replay.js"
import { assertTag, fakeClaude, fakeRun, forkUntil, isTag, realCli, transports } from "./utils/claudeTest.js"
import { ndjsonFixture } from "./utils/fixtures.js"
import { isDead } from "./utils/processes.js"

/** The lines of a recording; every line, the last included, ends with "\n". */
const recordedLines = (file: string): Array<string> => {
  const text = Fs.readFileSync(file, "utf8")
  assert.isTrue(text === "" || text.endsWith("\n"), "the recording does not end with a newline")
  return text === "" ? [] : text.slice(0, -1).split("\n")
}

/** The events a list of lines decodes to with the library's decoder (diagnostics left out). */
const decodeAll = (lines: ReadonlyArray<string>) =>
  Stream.fromIterable(lines).pipe(
    ClaudeEvent.decodeLines,
    Stream.filter((event): event is ClaudeEvent.ClaudeEvent => event._tag !== "Diagnostic"),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray)
  )

/** A fresh directory and options that run the fake CLI in `mode` over `transport`. */
const fake = (transport: ClaudeCode.Transport, mode: string, env: Record<string, string> = {}) =>
  fakeRun("record", transport, mode, env)

const [init, assistant, result] = ndjsonFixture("a_plain").lines as [string, string, string]

describe.concurrent.each(transports)("record over %s", (transport) => {
  it.scopedLive("the real CLI: the recording is the run, and replays to the same events and result", () =>
    Effect.gen(function*() {
      const { cwd, options } = yield* realCli(transport, {
        script: (request) =>
          request.toolResults.length === 0
            ? ModelServer.toolUse("Bash", { command: "echo recorded" }, { text: "Running it." })
            : ModelServer.text(`It printed ${request.toolResults[0]!.content.trim()}.`)
      })
      const file = Path.join(cwd, "run.ndjson")
      const runOptions = { ...options, allowedTools: ["Bash"], includePartialMessages: true, record: file }
      const state = { result: ClaudeResult.empty }
      const live = Chunk.toReadonlyArray(
        yield* ClaudeCode.stream("run echo recorded", runOptions).pipe(
          Stream.tap((event) => Effect.sync(() => (state.result = ClaudeResult.step(state.result, event)))),
          Stream.runCollect
        )
      )
      assert.strictEqual(state.result.text, "It printed recorded.")

      const lines = recordedLines(file)
      assert.strictEqual(JSON.parse(lines[0]!).subtype, "init")
      assert.strictEqual(JSON.parse(lines.at(-1)!).type, "result")
      assert.isTrue(lines.some((line) => line.includes("\"text_delta\"")), "the partial messages were not recorded")
      // exactly the events of the run, decoded again by the library
      assert.deepStrictEqual(yield* decodeAll(lines), live)

      // replayed through the fake CLI (a recording is plain stream-json) ...
      const viaFake = yield* ClaudeCode.run("anything", {
        executable: fakeClaude,
        cwd,
        transport,
        env: { FAKE_CLAUDE_MODE: "fixture", FAKE_CLAUDE_FIXTURE: file }
      })
      assert.deepStrictEqual(viaFake, state.result)
      // ... and through Replay, matched by its prompt
      const replay = yield* Replay.make({ "run echo recorded": file })
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(replay.stream("run echo recorded"))), live)
      assert.deepStrictEqual(yield* replay.run("run echo recorded"), state.result)
    }))

  it.scopedLive("every line as the run saw it: non-JSON lines included, escapes and \\r removed; an old file is replaced", () =>
    Effect.gen(function*() {
      const fixture = [
        "warning: something the CLI printed — Grüße, 日本語, 😀",
        init,
        "\x1b[?25l" + assistant + "\r",
        "",
        "{not json",
        result
      ].join("\n") + "\n"
      const { file, options } = yield* fake(transport, "fixture")
      Fs.writeFileSync(file("fixture.ndjson"), fixture)
      Fs.writeFileSync(file("run.ndjson"), "an older recording that must go\n".repeat(100))

      const ran = yield* ClaudeCode.run("go", {
        ...options,
        env: { ...options.env, FAKE_CLAUDE_FIXTURE: file("fixture.ndjson") },
        record: file("run.ndjson")
      })

      assert.deepStrictEqual(recordedLines(file("run.ndjson")), [
        "warning: something the CLI printed — Grüße, 日本語, 😀",
        init,
        assistant,
        "{not json",
        result
      ])
      assert.strictEqual(ran.text, JSON.parse(result).result)
    }))

  it.scopedLive("many chunks of output: every line, in order", () =>
    Effect.gen(function*() {
      const deltas = Array.from({ length: 20_000 }, (_, i) =>
        JSON.stringify({
          type: "stream_event",
          event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `${i % 10}` } },
          session_id: "00000000-0000-4000-8000-000000000001",
          parent_tool_use_id: null,
          uuid: `30000000-0000-4000-8000-${String(i).padStart(12, "0")}`
        }))
      const lines = [init, ...deltas, result]
      const { file, options } = yield* fake(transport, "fixture")
      Fs.writeFileSync(file("fixture.ndjson"), lines.join("\n") + "\n")

      yield* ClaudeCode.run("go", {
        ...options,
        env: { ...options.env, FAKE_CLAUDE_FIXTURE: file("fixture.ndjson") },
        record: file("run.ndjson")
      })

      assert.deepStrictEqual(recordedLines(file("run.ndjson")), lines)
    }))

  it.scopedLive("a crash mid-line: the recording keeps what was written, the cut line included", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "crash-mid-line")
      const error = yield* Effect.flip(ClaudeCode.run("crash", { ...options, record: file("run.ndjson") }))

      assert.strictEqual(assertTag(error, "ProcessError").signal, "SIGSEGV")
      const lines = recordedLines(file("run.ndjson"))
      assert.strictEqual(lines.length, 2)
      assert.strictEqual(JSON.parse(lines[0]!).subtype, "init")
      assert.strictEqual(
        lines[1],
        "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_cut\",\"content\":[{\"type\":\"te"
      )
    }))

  it.scopedLive("a line is on disk before its event reaches the program; an interrupted run keeps what was seen", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "wait-for-sigint")
      const { fiber, first } = yield* forkUntil(
        ClaudeCode.stream("wait", { ...options, record: file("run.ndjson") }),
        isTag("Assistant")
      )
      yield* Deferred.await(first)
      const seen = recordedLines(file("run.ndjson")).map((line) => JSON.parse(line).type)
      assert.deepStrictEqual(seen, ["system", "assistant"])

      yield* Fiber.interrupt(fiber)
      assert.isTrue(isDead(Number(Fs.readFileSync(file("pid"), "utf8"))))
      assert.deepStrictEqual(recordedLines(file("run.ndjson")).slice(0, 2).map((line) => JSON.parse(line).type), [
        "system",
        "assistant"
      ])
    }))

  it.scopedLive("a file that cannot be opened: RecordError before the CLI is started", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "echo")
      const path = file("no-such-directory/run.ndjson")
      const error = assertTag(yield* Effect.flip(ClaudeCode.run("hi", { ...options, record: path })), "RecordError")

      assert.strictEqual(error.path, path)
      assert.strictEqual(error.operation, "open")
      assert.include(error.message, path)
      assert.include(error.message, "ENOENT")
      assert.isFalse(Fs.existsSync(file("pid")), "the CLI was started")
    }))

  it.scopedLive("a file that cannot be written (/dev/full): RecordError, the run is stopped", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "wait-for-sigint")
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("hi", { ...options, record: "/dev/full" })),
        "RecordError"
      )

      assert.strictEqual(error.operation, "write")
      assert.include(error.message, "ENOSPC")
      assert.isTrue(isDead(Number(Fs.readFileSync(file("pid"), "utf8"))))
    }))
})
