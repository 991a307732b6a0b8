import { assert, describe, it } from "@effect/vitest"
import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Path from "node:path"
import {
  FAKE,
  FAKE_SESSION,
  fixtureEnv,
  fixtureLines,
  FIXTURES,
  LOCAL_FIXTURES,
  runBin,
  summaryPattern,
  tempDir
} from "./utils/bin.js"

/** The events the library decodes from a fixture, up to and including its `result`. */
const fixtureEvents = (name: string): Array<ClaudeEvent.ClaudeEvent> => {
  const events: Array<ClaudeEvent.ClaudeEvent> = []
  fixtureLines(name).forEach((line, i) => {
    const decoded = ClaudeEvent.decodeLine(line, i + 1)
    if (Either.isLeft(decoded)) throw decoded.left
    if (decoded.right._tag !== "Diagnostic") events.push(decoded.right)
  })
  return events.slice(0, events.findIndex((event) => event._tag === "Result") + 1)
}

const A_PLAIN_TEXT = `Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and began "say hi".`

describe("--output text", () => {
  it.live("prints the answer and a summary line on stderr", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "hello there"])
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, "hello there\n")
      assert.match(
        run.stderr,
        summaryPattern("done", "0.0001", "3 in / 5 out / 0 cache read / 0 cache write", FAKE_SESSION)
      )
    }))

  it.live("prints streamed text once: deltas with --partial, not the assistant line that repeats them", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "--partial", "say hi"], { env: fixtureEnv("b_partial") })
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, A_PLAIN_TEXT + "\n")
      assert.match(
        run.stderr,
        summaryPattern(
          "done",
          "0.0497",
          "12259 in / 32 out / 0 cache read / 0 cache write",
          "ed725312-ae13-4870-b586-518560784c6d"
        )
      )
    }))

  it.live("prints every text block of a tool-using turn, separated by a blank line, and not the result again", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "run echo hello"], { env: fixtureEnv("c_tool_default") })
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, `I will run a command.\n\nThe tool returned: "hello". Done.\n`)
    }))

  it.live("a result text that differs from the streamed text is not printed after it", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "hi"], { env: fixtureEnv("result-differs", LOCAL_FIXTURES) })
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, "Short.\n")
    }))

  it.live("the result text is printed when no text streamed before it; cache tokens are in the summary", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "hi"], { env: fixtureEnv("result-only", LOCAL_FIXTURES) })
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, "Only in the result, no newline at the end\n")
      assert.match(
        run.stderr,
        summaryPattern(
          "done",
          "0.0002",
          "7 in / 9 out / 11 cache read / 13 cache write",
          "00000000-0000-4000-8000-0000000000aa"
        )
      )
    }))
})

describe("--output events", () => {
  it.live("prints each event as one line of its stream-json wire form", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "--output", "events", "run echo hello"], {
        env: fixtureEnv("c_tool_default")
      })
      assert.strictEqual(run.code, 0)
      const expected = fixtureEvents("c_tool_default")
      assert.strictEqual(run.stdout, expected.map((event) => ClaudeEvent.encodeLine(event) + "\n").join(""))
      // The same lines the CLI wrote, type by type, down to the final result.
      const lines = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))
      assert.deepStrictEqual(
        lines.map((line) => line.type),
        ["system", "assistant", "assistant", "user", "assistant", "result"]
      )
      assert.strictEqual(lines[5].result, `The tool returned: "hello". Done.`)
      assert.strictEqual(run.stderr, "")
    }))
})

describe("--output json", () => {
  it.live("prints the folded result as one JSON object", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "--output", "json", "run echo hello"], {
        env: fixtureEnv("c_tool_default")
      })
      assert.strictEqual(run.code, 0)
      const folded = fixtureEvents("c_tool_default").reduce(ClaudeResult.step, ClaudeResult.empty)
      const expected = Schema.encodeSync(ClaudeResult.ClaudeResult)(folded)
      assert.strictEqual(run.stdout, JSON.stringify(expected) + "\n")
      const result = JSON.parse(run.stdout)
      assert.strictEqual(result.text, `The tool returned: "hello". Done.`)
      assert.strictEqual(result.sessionId, "257567df-603f-46bc-9a2b-c75279b7544e")
      assert.strictEqual(result.costUsd, 0.099696)
      assert.deepStrictEqual(result.toolCalls.map((call: { name: string }) => call.name), ["Bash"])
      assert.strictEqual(run.stderr, "")
    }))

  it.live("prints the result also when Claude reports an error, and exits 1", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "--output", "json", "do it"], { env: fixtureEnv("h_max_turns") })
      assert.strictEqual(run.code, 1)
      const result = JSON.parse(run.stdout)
      assert.strictEqual(result.isError, true)
      assert.strictEqual(result.terminalReason, "max_turns")
      assert.match(
        run.stderr,
        /^effect-claude-code: Claude stopped after 2 turns, the maximum allowed: raise `--max-turns`/
      )
      assert.strictEqual(run.stderr.split("\n").length, 2)
    }))
})

describe("--record FILE", () => {
  it.scopedLive("saves the CLI's output byte for byte, relative to where the command runs; stdout is unchanged", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const run = yield* runBin(["--claude", FAKE, "--record", "run.ndjson", "run echo hello"], {
        env: fixtureEnv("c_tool_default"),
        cwd: dir
      })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(run.stdout, `I will run a command.\n\nThe tool returned: "hello". Done.\n`)
      assert.strictEqual(
        Fs.readFileSync(Path.join(dir, "run.ndjson"), "utf8"),
        Fs.readFileSync(Path.join(FIXTURES, "c_tool_default.ndjson"), "utf8")
      )
    }))

  it.scopedLive("a file that cannot be created: exit 2, one line naming --record, and Claude Code is not started", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const argvFile = Path.join(dir, "argv.json")
      const target = Path.join(dir, "missing", "run.ndjson")
      const run = yield* runBin(["--claude", FAKE, "--record", target, "hi"], {
        env: { FAKE_CLAUDE_ARGV_FILE: argvFile }
      })
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assert.match(
        run.stderr,
        /^effect-claude-code: Could not open \S+missing\/run\.ndjson to record the run [^\n]*`--record`[^\n]*\n$/
      )
      assert.isFalse(Fs.existsSync(argvFile))
    }))
})
