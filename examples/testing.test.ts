/**
 * Testing a program that uses Claude Code, two ways (`npx vitest run examples/testing.test.ts`):
 *
 * 1. Replayed: `Replay.layer` answers the program's prompts from recordings made with the `record`
 *    option, so the test needs no CLI, no server and no account, and runs in milliseconds.
 * 2. Live: the real, pinned `claude` CLI runs the program against `ModelServer`, a loopback
 *    stand-in for the Anthropic API whose replies the test scripts: text, tool calls, errors.
 *
 * The recordings in `recordings/` were made by the last test's steps: the live setup with the
 * script below, and `record: "examples/recordings/todo-count.ndjson"` (`overloaded.ndjson`: the
 * same with `ModelServer.httpError(529)`).
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ClaudeCode } from "effect-claude-code"
import { ClaudeEnv, ModelServer, Replay } from "effect-claude-code/testing"
import * as Fs from "node:fs"
import * as Path from "node:path"

// -----------------------------------------------------------------------------
// The program under test
// -----------------------------------------------------------------------------

/** Asks Claude about the project (it may run shell commands) and reports the answer and the commands. */
const askProject = (question: string) =>
  ClaudeCode.run(question, { allowedTools: ["Bash"], maxTurns: 5 }).pipe(
    Effect.map((result) => ({
      answer: result.text,
      commands: result.toolCalls.map((call) => String(call.input.command))
    })),
    Effect.catchTag("ClaudeFailure", (error) =>
      Effect.succeed({ answer: `Claude could not answer (HTTP ${error.apiErrorStatus ?? "?"}).`, commands: [] }))
  )

const todoQuestion = "How many TODO comments are in this project?"

// -----------------------------------------------------------------------------
// 1. Replayed from recordings
// -----------------------------------------------------------------------------

const recording = (name: string) => new URL(`./recordings/${name}`, import.meta.url)

layer(Replay.layer([
  { prompt: todoQuestion, file: recording("todo-count.ndjson") },
  { prompt: /README/, file: recording("overloaded.ndjson") }
]))("askProject, replayed", (it) => {
  it.effect("answers with what the tool found, and reports the command", () =>
    Effect.gen(function*() {
      const report = yield* askProject(todoQuestion)
      assert.deepStrictEqual(report, { answer: "There are 3 TODO comments.", commands: ["grep -r TODO . | wc -l"] })
    }))

  it.effect("an overloaded API: the program's fallback", () =>
    Effect.gen(function*() {
      const report = yield* askProject("Summarise the README")
      assert.deepStrictEqual(report, { answer: "Claude could not answer (HTTP 529).", commands: [] })
    }))

  it.effect("the program passes the options it should", () =>
    Effect.gen(function*() {
      const replay = yield* Replay.Replay
      yield* askProject(todoQuestion)
      const calls = yield* replay.calls
      assert.deepStrictEqual(calls.at(-1)?.options, { allowedTools: ["Bash"], maxTurns: 5 })
    }))
})

// -----------------------------------------------------------------------------
// 2. Live: the real CLI against a scripted model
// -----------------------------------------------------------------------------

/** The model's part: count with a shell command, then answer with what it printed. */
const todoScript: ModelServer.Script = (request) =>
  request.toolResults.length === 0
    ? ModelServer.toolUse("Bash", { command: "grep -r TODO . | wc -l", description: "Count TODO comments" }, {
      text: "Let me count them."
    })
    : ModelServer.text(`There are ${request.toolResults[0]!.content.trim()} TODO comments.`)

/**
 * A loopback model server with `script`, the real CLI pointed at it (throw-away HOME, no network),
 * and a project with three TODOs; `layer` provides `ClaudeCode` for them.
 */
const live = (script: ModelServer.Script) =>
  Effect.gen(function*() {
    const server = yield* ModelServer.make({ script })
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* ClaudeEnv.tempDirectory()
    Fs.writeFileSync(Path.join(cwd, "a.ts"), "// TODO: one\n// TODO: two\n")
    Fs.writeFileSync(Path.join(cwd, "b.ts"), "// TODO: three\n")
    const options: ClaudeCode.Options = { executable: claude.executable, env: claude.env, cwd, transport: "pipe" }
    return { server, cwd, options, layer: ClaudeCode.layer(options) }
  })

describe.concurrent("askProject, live", () => {
  it.scopedLive("a tool call: the CLI really runs the command and the model answers with its output", () =>
    Effect.gen(function*() {
      const { layer, server } = yield* live(todoScript)
      const report = yield* askProject(todoQuestion).pipe(Effect.provide(layer))

      assert.deepStrictEqual(report, { answer: "There are 3 TODO comments.", commands: ["grep -r TODO . | wc -l"] })
      const requests = yield* server.messages // every request the CLI sent, parsed
      assert.strictEqual(requests[0]!.text, todoQuestion)
      assert.deepStrictEqual(requests[1]!.toolResults.map((result) => result.content.trim()), ["3"])
    }))

  it.scopedLive("a plain reply", () =>
    Effect.gen(function*() {
      const { layer } = yield* live(() => ModelServer.text("I can't tell without looking.", { chunkSize: 5 }))
      const report = yield* askProject(todoQuestion).pipe(Effect.provide(layer))
      assert.deepStrictEqual(report, { answer: "I can't tell without looking.", commands: [] })
    }))

  it.scopedLive("an API error (HTTP 529): the program's fallback", () =>
    Effect.gen(function*() {
      const { layer } = yield* live(() => ModelServer.httpError(529))
      const report = yield* askProject("Summarise the README").pipe(Effect.provide(layer))
      assert.deepStrictEqual(report, { answer: "Claude could not answer (HTTP 529).", commands: [] })
    }))

  it.scopedLive("record a live run, then replay it without the CLI", () =>
    Effect.gen(function*() {
      const { cwd, options } = yield* live(todoScript)
      const file = Path.join(cwd, "todo-count.ndjson")
      // the same program, with `record` set for its runs through the layer's defaults
      const recorded = yield* askProject(todoQuestion).pipe(
        Effect.provide(ClaudeCode.layer({ ...options, record: file }))
      )
      const replayed = yield* askProject(todoQuestion).pipe(Effect.provide(Replay.layer({ [todoQuestion]: file })))
      assert.deepStrictEqual(replayed, recorded)
    }))
})
