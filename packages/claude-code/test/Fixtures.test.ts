/**
 * The whole decoding core over the recorded transcripts: bytes in arbitrary chunks -> text ->
 * lines -> events -> result, and the errors a caller builds from those results.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import { splitLines } from "../src/internal/lines.js"
import { ndjsonFixture, ndjsonFixtures, ptyFixture, ptyFixtures, randomByteChunks } from "./utils/fixtures.js"

const encoder = new TextEncoder()

/** bytes (cut at random) -> streaming UTF-8 -> lines -> events and diagnostics. */
const decodeBytes = (bytes: Uint8Array, seed: number) =>
  Stream.fromIterable(randomByteChunks(bytes, seed, 1 + (seed * 37) % 700)).pipe(
    Stream.decodeText(),
    splitLines,
    ClaudeEvent.decodeLines
  )

const run = (bytes: Uint8Array, seed: number) =>
  Effect.gen(function*() {
    const decoded = yield* decodeBytes(bytes, seed).pipe(Stream.runCollect, Effect.map(Chunk.toArray))
    const result = yield* ClaudeResult.fold(Stream.fromIterable(decoded))
    const diagnostics = decoded.flatMap((d) => d._tag === "Diagnostic" ? [d.text] : [])
    const unknown = decoded.filter((d) => d._tag === "Unknown" || d._tag === "SystemOther")
    return { result, diagnostics, unknown }
  })

const SAY_HI = "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and began \"say hi\"."
const TOOL_TEXT = "The tool returned: \"hello\". Done."
const DENIED_MESSAGE = "touch in '/home/dev/project/created_by_tool.txt' needs approval. The path is inside the " +
  "working directories for this session ('/home/dev/project'), and Claude Code asks before a shell command creates, " +
  "changes or removes files there."

interface Expected {
  readonly text: string
  readonly sessionId?: string
  readonly model?: string
  readonly costUsd: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly numTurns: number
  readonly stopReason?: string
  readonly terminalReason?: string
  readonly subtype?: string
  readonly isError: boolean
  readonly errors: ReadonlyArray<string>
  readonly apiErrorStatus?: number
  readonly hasResult: boolean
  readonly eventCount: number
  readonly toolCalls: ReadonlyArray<ClaudeResult.ToolCall>
  readonly permissionDenials: ReadonlyArray<ClaudeResult.PermissionDenial>
  readonly diagnostics: ReadonlyArray<string>
}

const ok = {
  model: "claude-opus-5-5",
  stopReason: "end_turn",
  terminalReason: "completed",
  subtype: "success",
  isError: false,
  errors: [],
  hasResult: true,
  toolCalls: [],
  permissionDenials: [],
  diagnostics: []
} as const

const echoCall = (id: string): ClaudeResult.ToolCall => ({
  id,
  name: "Bash",
  input: { command: "echo hello", description: "Print hello" },
  parentToolUseId: null,
  result: { content: "hello", isError: false }
})

const expected: Record<string, Expected> = {
  a_plain: {
    ...ok,
    text: SAY_HI,
    sessionId: "f121c0a2-da28-4814-af97-b2a28224f1d9",
    costUsd: 0.049676000000000005,
    inputTokens: 12259,
    outputTokens: 32,
    numTurns: 1,
    eventCount: 3
  },
  b_partial: {
    ...ok,
    text: SAY_HI,
    sessionId: "ed725312-ae13-4870-b586-518560784c6d",
    costUsd: 0.049676000000000005,
    inputTokens: 12259,
    outputTokens: 32,
    numTurns: 1,
    eventCount: 17
  },
  c_tool_default: {
    ...ok,
    text: TOOL_TEXT,
    sessionId: "257567df-603f-46bc-9a2b-c75279b7544e",
    costUsd: 0.099696,
    inputTokens: 24609,
    outputTokens: 63,
    numTurns: 2,
    eventCount: 6,
    toolCalls: [echoCall("toolu_mock_543f936afab70a527ea4cbb3")]
  },
  c_tool_denied: {
    ...ok,
    text: "The tool returned: \"touch in '/home/dev/project/created_by_tool.txt' needs approval. The path is inside " +
      "the working directories for this session ('/home/dev/project'), and Claude Code asks before a shell command " +
      "cr\". Done.",
    sessionId: "88246cd7-9fb4-4722-acf0-d3e51b804d88",
    costUsd: 0.10108400000000001,
    inputTokens: 24681,
    outputTokens: 118,
    numTurns: 2,
    eventCount: 7,
    toolCalls: [{
      id: "toolu_mock_f877ad24dbfb24160814c9e8",
      name: "Bash",
      input: { command: "touch created_by_tool.txt", description: "Run requested command" },
      parentToolUseId: null,
      result: { content: DENIED_MESSAGE, isError: true }
    }],
    permissionDenials: [{
      toolName: "Bash",
      toolUseId: "toolu_mock_f877ad24dbfb24160814c9e8",
      toolInput: { command: "touch created_by_tool.txt", description: "Run requested command" },
      message: DENIED_MESSAGE
    }]
  },
  d_resume: {
    ...ok,
    text:
      "Hi from mock API. I saw 4 message(s) (2 user); your last message was 20 chars and began \"second turn question\".",
    sessionId: "f121c0a2-da28-4814-af97-b2a28224f1d9",
    costUsd: 0.09962000000000001,
    inputTokens: 12311,
    outputTokens: 35,
    numTurns: 1,
    eventCount: 3
  },
  d_resume_bad: {
    text: "",
    sessionId: "99999999-2222-4333-8444-555555555555",
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    numTurns: 0,
    subtype: "error_during_execution",
    isError: true,
    errors: ["No conversation found with session ID: 99999999-2222-4333-8444-555555555555"],
    hasResult: true,
    eventCount: 1,
    toolCalls: [],
    permissionDenials: [],
    diagnostics: []
  },
  e_529_noretry: {
    text: "API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment. If it " +
      "persists, check your inference gateway (127.0.0.1:39877).",
    sessionId: "3a03cd91-a0ec-4f94-911f-a20ebd47892a",
    model: "claude-opus-5-5",
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    numTurns: 1,
    stopReason: "stop_sequence",
    terminalReason: "api_error",
    subtype: "success",
    isError: true,
    errors: [],
    apiErrorStatus: 529,
    hasResult: true,
    eventCount: 3,
    toolCalls: [],
    permissionDenials: [],
    diagnostics: []
  },
  g_streamjson_two: {
    ...ok,
    text:
      "Hi from mock API. I saw 4 message(s) (2 user); your last message was 19 chars and began \"second streamed msg\".",
    sessionId: "35f4f9e2-77f4-4086-9ab2-0d34a52e5d33",
    costUsd: 0.09972,
    inputTokens: 12317,
    outputTokens: 35,
    numTurns: 1,
    eventCount: 8
  },
  h_max_turns: {
    ...ok,
    text: "I will run a command.",
    sessionId: "3bdbd363-2d4d-4a10-9928-dced719ff764",
    costUsd: 0.049992,
    inputTokens: 12263,
    outputTokens: 47,
    numTurns: 2,
    stopReason: "tool_use",
    terminalReason: "max_turns",
    subtype: "error_max_turns",
    isError: true,
    errors: ["Reached maximum number of turns (1)"],
    eventCount: 5,
    toolCalls: [echoCall("toolu_mock_ce70dcc9e7502f1b8a864507")]
  },
  kill_SIGINT: {
    text: "Hi from mock",
    sessionId: "f33cb64b-a464-4056-a733-d9f779722ef0",
    model: "claude-opus-5-5",
    costUsd: 0.049128,
    inputTokens: 0,
    outputTokens: 0,
    numTurns: 2,
    terminalReason: "aborted_streaming",
    subtype: "error_during_execution",
    isError: true,
    errors: ["[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"],
    hasResult: true,
    eventCount: 11,
    toolCalls: [],
    permissionDenials: [],
    diagnostics: []
  },
  pty_err401: {
    text: "Invalid API key · Fix external API key",
    sessionId: "613f49bb-5c7a-4f43-a981-59a0d440e285",
    model: "claude-opus-5-5",
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    numTurns: 1,
    stopReason: "stop_sequence",
    terminalReason: "api_error",
    subtype: "success",
    isError: true,
    errors: [],
    apiErrorStatus: 401,
    hasResult: true,
    eventCount: 3,
    toolCalls: [],
    permissionDenials: [],
    diagnostics: []
  },
  pty_partial: {
    ...ok,
    text: SAY_HI,
    sessionId: "5e770a96-380e-464d-86a8-727f820e180b",
    costUsd: 0.049676000000000005,
    inputTokens: 12259,
    outputTokens: 32,
    numTurns: 1,
    eventCount: 17
  },
  pty_plain: {
    ...ok,
    text: SAY_HI,
    sessionId: "daa36097-2908-46dc-b5c0-aede32bfa8b1",
    costUsd: 0.049676000000000005,
    inputTokens: 12259,
    outputTokens: 32,
    numTurns: 1,
    eventCount: 3
  },
  pty_tool: {
    ...ok,
    text: TOOL_TEXT,
    sessionId: "733c7021-9537-4726-bef8-e4f7c7d03ba9",
    costUsd: 0.099696,
    inputTokens: 24609,
    outputTokens: 63,
    numTurns: 2,
    eventCount: 6,
    toolCalls: [echoCall("toolu_mock_d421a9aa12e4ad1f6050f209")]
  },
  pty_unknown_opt: {
    text: "",
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    numTurns: 0,
    isError: false,
    errors: [],
    hasResult: false,
    eventCount: 0,
    toolCalls: [],
    permissionDenials: [],
    diagnostics: ["error: unknown option '--help me'", "(Did you mean --help?)"]
  }
}

const summary = (result: ClaudeResult.ClaudeResult, diagnostics: ReadonlyArray<string>): Expected => ({
  text: result.text,
  ...(result.sessionId === undefined ? {} : { sessionId: result.sessionId }),
  ...(result.model === undefined ? {} : { model: result.model }),
  costUsd: result.costUsd,
  inputTokens: result.usage.inputTokens,
  outputTokens: result.usage.outputTokens,
  numTurns: result.numTurns,
  ...(result.stopReason === undefined ? {} : { stopReason: result.stopReason }),
  ...(result.terminalReason === undefined ? {} : { terminalReason: result.terminalReason }),
  ...(result.subtype === undefined ? {} : { subtype: result.subtype }),
  isError: result.isError,
  errors: result.errors,
  ...(result.apiErrorStatus === undefined ? {} : { apiErrorStatus: result.apiErrorStatus }),
  hasResult: result.hasResult,
  eventCount: result.eventCount,
  toolCalls: result.toolCalls,
  permissionDenials: result.permissionDenials,
  diagnostics
})

const allInputs = () => [
  ...ndjsonFixtures().map((f) => ({ name: f.name, bytes: encoder.encode(f.text) })),
  ...ptyFixtures().map((f) => ({ name: f.name, bytes: f.bytes }))
]

describe("the recorded transcripts, end to end", () => {
  it.effect("every transcript folds to exactly the expected result, with no Unknown events", () =>
    Effect.gen(function*() {
      const inputs = allInputs()
      assert.deepStrictEqual(inputs.map((i) => i.name).sort(), Object.keys(expected).sort())
      for (const { name, bytes } of inputs) {
        const { diagnostics, result, unknown } = yield* run(bytes, 1)
        assert.deepStrictEqual(unknown, [], name)
        assert.deepStrictEqual(summary(result, diagnostics), expected[name], name)
      }
    }))

  it.effect("chunk boundaries (bytes cut anywhere, 60 seeds per transcript) never change the result", () =>
    Effect.gen(function*() {
      for (const { name, bytes } of allInputs()) {
        const reference = yield* run(bytes, 1)
        for (let seed = 2; seed <= 60; seed++) {
          const { diagnostics, result } = yield* run(bytes, seed)
          assert.deepStrictEqual({ ...result }, { ...reference.result }, `${name} seed ${seed}`)
          assert.deepStrictEqual(diagnostics, reference.diagnostics, `${name} seed ${seed}`)
        }
      }
    }))

  it.effect("a transcript over a pipe and over a terminal give the same kind of result", () =>
    Effect.gen(function*() {
      const pipe = (yield* run(encoder.encode(ndjsonFixture("b_partial").text), 3)).result
      const pty = (yield* run(ptyFixture("pty_partial").bytes, 3)).result
      assert.strictEqual(pty.text, pipe.text)
      assert.strictEqual(pty.eventCount, pipe.eventCount)
      assert.deepStrictEqual(pty.usage, pipe.usage)
    }))

  it("the exit codes recorded with the transcripts agree with isSuccess", () => {
    for (const fixture of ndjsonFixtures()) {
      if (fixture.exitCode === undefined) continue
      const result = fixture.lines.reduce((state, line, i) => {
        const decoded = ClaudeEvent.decodeLine(line, i + 1)
        return decoded._tag === "Right" ? ClaudeResult.step(state, decoded.right) : assert.fail(line)
      }, ClaudeResult.empty)
      assert.strictEqual(ClaudeResult.isSuccess(result), fixture.exitCode === 0, fixture.name)
    }
  })
})

describe("ClaudeError built from the transcripts", () => {
  const resultOf = (bytes: Uint8Array) => Effect.map(run(bytes, 5), (r) => r.result)
  const fromNdjson = (name: string) => resultOf(encoder.encode(ndjsonFixture(name).text))

  it.effect("API errors: 529 overloaded, 401 credentials (subtype success, is_error true)", () =>
    Effect.gen(function*() {
      const overloaded = ClaudeError.ClaudeFailure.fromResult(yield* fromNdjson("e_529_noretry"))
      assert.strictEqual(overloaded._tag, "ClaudeFailure")
      assert.strictEqual(overloaded.apiErrorStatus, 529)
      assert.strictEqual(overloaded.subtype, "success")
      assert.strictEqual(overloaded.terminalReason, "api_error")
      assert.include(overloaded.message, "overloaded (HTTP 529)")
      assert.include(overloaded.message, "retry later")
      assert.include(overloaded.message, "Session id: 3a03cd91-a0ec-4f94-911f-a20ebd47892a")

      const unauthorized = ClaudeError.ClaudeFailure.fromResult(yield* resultOf(ptyFixture("pty_err401").bytes))
      assert.strictEqual(unauthorized.apiErrorStatus, 401)
      assert.include(unauthorized.message, "HTTP 401")
      assert.include(unauthorized.message, "ANTHROPIC_API_KEY")
      assert.include(unauthorized.message, "Invalid API key")
    }))

  it.effect("max turns, unknown resume id, interrupted turn", () =>
    Effect.gen(function*() {
      const maxTurns = ClaudeError.ClaudeFailure.fromResult(yield* fromNdjson("h_max_turns"))
      assert.deepStrictEqual(maxTurns.errors, ["Reached maximum number of turns (1)"])
      assert.strictEqual(maxTurns.terminalReason, "max_turns")
      assert.include(maxTurns.message, "raise `maxTurns`")
      assert.include(maxTurns.message, "Reached maximum number of turns (1)")

      const resumeBad = ClaudeError.ClaudeFailure.fromResult(yield* fromNdjson("d_resume_bad"))
      assert.strictEqual(resumeBad.subtype, "error_during_execution")
      assert.strictEqual(resumeBad.terminalReason, undefined)
      assert.include(resumeBad.message, "session to resume was not found")
      assert.include(resumeBad.message, "No conversation found with session ID: 99999999-2222-4333-8444-555555555555")

      const interrupted = ClaudeError.ClaudeFailure.fromResult(yield* fromNdjson("kill_SIGINT"))
      assert.strictEqual(interrupted.terminalReason, "aborted_streaming")
      assert.include(interrupted.message, "interrupted")
      assert.include(interrupted.message, "f33cb64b-a464-4056-a733-d9f779722ef0")
    }))

  it.effect("rate limits (429) name the reset time; budget stops say what to raise", () =>
    Effect.gen(function*() {
      const lines = [
        "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":\"rejected\",\"resetsAt\":1767225600}}",
        JSON.stringify({
          type: "result",
          subtype: "success",
          is_error: true,
          session_id: "s",
          api_error_status: 429,
          terminal_reason: "api_error",
          result: "API Error: 429"
        }),
        JSON.stringify({
          type: "result",
          subtype: "error_max_budget_usd",
          is_error: true,
          session_id: "s",
          total_cost_usd: 0.5,
          terminal_reason: "budget_exhausted",
          errors: []
        })
      ]
      const results = yield* ClaudeResult.scan(
        Stream.fromIterable(lines).pipe(ClaudeEvent.decodeLines)
      ).pipe(Stream.runCollect, Effect.map(Chunk.toArray))
      const limited = ClaudeError.ClaudeFailure.fromResult(results[1]!)
      assert.include(limited.message, "Rate limited")
      assert.include(limited.message, "2026-01-01T00:00:00.000Z")
      const budget = ClaudeError.ClaudeFailure.fromResult(results[2]!)
      assert.include(budget.message, "raise `maxBudgetUsd`")
      assert.include(budget.message, "$0.5")
    }))

  it.effect("ProcessError: diagnostics from merged stderr explain what went wrong", () =>
    Effect.gen(function*() {
      const { diagnostics, result } = yield* run(ptyFixture("pty_unknown_opt").bytes, 9)
      const error = new ClaudeError.ProcessError({ exitCode: 1, signal: null, diagnostics, partial: result })
      assert.include(error.message, "exited with code 1 without writing a result")
      assert.include(error.message, "begins with \"-\" is read as an option")
      assert.include(error.message, "error: unknown option '--help me'")

      const inUse = new ClaudeError.ProcessError({
        exitCode: 1,
        signal: null,
        diagnostics: ["Error: Session ID 0b7c... is already in use."]
      })
      assert.include(inUse.message, "session id is already taken")

      const killed = new ClaudeError.ProcessError({ exitCode: null, signal: "SIGTERM", diagnostics: [] })
      assert.include(killed.message, "was killed by SIGTERM")
      assert.include(killed.message, "stopped from outside")

      const stderr = ndjsonFixture("d_resume_bad").stderr!.trim().split("\n")
      const noSession = new ClaudeError.ProcessError({ exitCode: 1, signal: null, diagnostics: stderr })
      assert.include(noSession.message, "No session has that id")
    }))

  it.effect("Cancelled and IdleTimeout carry the partial result with its session id", () =>
    Effect.gen(function*() {
      const partial = yield* ClaudeResult.fold(
        Stream.fromIterable(ndjsonFixture("kill_SIGINT").lines.slice(0, 5)).pipe(ClaudeEvent.decodeLines)
      )
      assert.strictEqual(partial.hasResult, false)
      assert.strictEqual(partial.text, "Hi from mock")
      const cancelled = new ClaudeError.Cancelled({ reason: "user pressed stop", partial })
      assert.include(cancelled.message, "cancelled (user pressed stop)")
      assert.include(cancelled.message, "Resume session f33cb64b-a464-4056-a733-d9f779722ef0")

      const idle = new ClaudeError.IdleTimeout({ timeout: Duration.seconds(90), partial })
      assert.include(idle.message, "wrote nothing for 1m 30s")
      assert.include(idle.message, "f33cb64b-a464-4056-a733-d9f779722ef0")
      assert.deepStrictEqual(
        (Schema.encodeSync(ClaudeError.ClaudeCodeError)(idle) as { readonly timeout: unknown }).timeout,
        90000
      )
    }))

  it.effect("errors encode and decode through the ClaudeCodeError schema", () =>
    Effect.gen(function*() {
      const failure = ClaudeError.ClaudeFailure.fromResult(yield* fromNdjson("c_tool_denied"))
      const errors: ReadonlyArray<ClaudeError.ClaudeCodeError> = [
        failure,
        new ClaudeError.Cancelled({ partial: failure.result }),
        new ClaudeError.ProcessError({ exitCode: 143, signal: null, diagnostics: ["x"] }),
        new ClaudeError.DecodeError({ lineNumber: 3, line: "{}", issue: "bad" }),
        new ClaudeError.InvalidOptions({ option: "maxTurns", problem: "must be a positive integer" })
      ]
      for (const error of errors) {
        const json = JSON.parse(JSON.stringify(Schema.encodeSync(ClaudeError.ClaudeCodeError)(error)))
        const back = Schema.decodeUnknownSync(ClaudeError.ClaudeCodeError)(json)
        assert.strictEqual(back._tag, error._tag)
        assert.strictEqual(back.message, error.message)
      }
    }))

  it("SpawnError says what to do for each reason", () => {
    const cases: ReadonlyArray<readonly [unknown, ClaudeError.SpawnErrorReason, string]> = [
      [Object.assign(new Error("spawn claude ENOENT"), { code: "ENOENT" }), "NotFound", "install Claude Code"],
      [Object.assign(new Error("spawn EACCES"), { code: "EACCES" }), "NotExecutable", "execute permission"],
      [Object.assign(new Error("spawn E2BIG"), { code: "E2BIG" }), "ArgumentsTooLong", "send the prompt on stdin"],
      [new Error("weird"), "Unknown", "weird"]
    ]
    for (const [cause, reason, hint] of cases) {
      assert.strictEqual(ClaudeError.spawnErrorReason(cause), reason)
      const error = new ClaudeError.SpawnError({ executable: "claude", reason, cause })
      assert.include(error.message, hint)
      assert.include(error.message, "claude")
    }
    const cwd = new ClaudeError.SpawnError({ executable: "claude", cwd: "/nope", reason: "CwdMissing", cause: null })
    assert.include(cwd.message, "/nope does not exist")
    const read = new ClaudeError.ReadError({ cause: new Error("EIO") })
    assert.include(read.message, "EIO")
  })
})
