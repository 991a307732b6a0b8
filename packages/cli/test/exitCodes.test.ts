import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import {
  FAKE,
  FAKE_SESSION,
  fixtureEnv,
  isAlive,
  runBin,
  SIGINT_SAFE_FAKE,
  startBin,
  summaryPattern,
  tempDir
} from "./utils/bin.js"

/** One line on stderr, from this command. */
const assertOneErrorLine = (stderr: string, pattern: RegExp) => {
  assert.match(stderr, /^effect-claude-code: [^\n]+\n$/)
  assert.match(stderr, pattern)
}

describe("exit code 1: Claude reported an error", () => {
  it.live("an API error: the text Claude wrote, the error and the summary", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "hi"], { env: fixtureEnv("e_529_noretry") })
      assert.strictEqual(run.code, 1)
      assert.match(run.stdout, /^API Error: 529 Overloaded\. [^\n]*\n$/)
      const [error, summary, rest] = run.stderr.split(/(?<=\n)/)
      assert.match(error!, /^effect-claude-code: The Anthropic API is overloaded \(HTTP 529\)[^\n]*\n$/)
      const session = "3a03cd91-a0ec-4f94-911f-a20ebd47892a"
      assert.match(summary!, summaryPattern("failed", "0.0000", "0 in / 0 out / 0 cache read / 0 cache write", session))
      assert.strictEqual(rest, undefined)
    }))
})

describe("exit code 2: usage error", () => {
  it.live("a missing prompt", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const argvFile = Path.join(dir, "argv.json")
      const run = yield* runBin(["--claude", FAKE], { env: { FAKE_CLAUDE_ARGV_FILE: argvFile } })
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assertOneErrorLine(run.stderr, /Missing argument <PROMPT> \(see effect-claude-code --help\)/)
      assert.isFalse(Fs.existsSync(argvFile), "the CLI must not be started")
    }).pipe(Effect.scoped))

  it.live("a value outside the choices, and a flag nobody knows", () =>
    Effect.gen(function*() {
      const bad = yield* runBin(["--claude", FAKE, "--output", "xml", "hi"])
      assert.strictEqual(bad.code, 2)
      assert.strictEqual(bad.stdout, "")
      assertOneErrorLine(bad.stderr, /text, events, json/)

      const unknown = yield* runBin(["--claude", FAKE, "--bogus"])
      assert.strictEqual(unknown.code, 2)
      assertOneErrorLine(unknown.stderr, /unknown flag '--bogus'/)
    }))

  it.live("an invalid option value the library refuses, named by its flag", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "--session-id", "not-a-uuid", "hi"])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assertOneErrorLine(run.stderr, /^effect-claude-code: invalid --session-id: must be a UUID/)
    }))

  it.live("an empty prompt from stdin", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "-"], { stdin: "  \n" })
      assert.strictEqual(run.code, 2)
      assertOneErrorLine(run.stderr, /^effect-claude-code: invalid PROMPT: is empty/)
    }))
})

describe("exit code 3: the CLI could not be started", () => {
  it.live("an executable that does not exist", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", "/nonexistent/claude", "hi"])
      assert.strictEqual(run.code, 3)
      assert.strictEqual(run.stdout, "")
      assertOneErrorLine(run.stderr, /"\/nonexistent\/claude" was not found: .* pass the `--claude` option\.$/m)
    }))
})

describe("exit code 4: the CLI failed without a result", () => {
  it.live("the CLI exits early: its diagnostics are in the one error line", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--claude", FAKE, "hi"], { env: { FAKE_CLAUDE_MODE: "exit-no-result" } })
      assert.strictEqual(run.code, 4)
      assert.strictEqual(run.stdout, "")
      const [error, summary] = run.stderr.split(/(?<=\n)/)
      assert.match(error!, /^effect-claude-code: Claude Code exited with code 3 without writing a result\./)
      assert.match(error!, /fatal: something went wrong in the fake/)
      assert.match(summary!, /^failed · \$0\.0000 · .* session 00000000-0000-4000-8000-000000000001 · /)
    }))

  it.live("the CLI goes silent past --idle-timeout", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const pidFile = Path.join(dir, "pid")
      const run = yield* runBin(["--claude", FAKE, "--idle-timeout", "0.5", "hi"], {
        env: { FAKE_CLAUDE_MODE: "init-then-silent", FAKE_CLAUDE_PID_FILE: pidFile }
      })
      assert.strictEqual(run.code, 4)
      assert.match(
        run.stderr,
        /^effect-claude-code: Claude Code wrote nothing for 500ms and was stopped: raise `--idle-timeout`/
      )
      assert.isFalse(isAlive(Number(Fs.readFileSync(pidFile, "utf8"))))
    }).pipe(Effect.scoped))
})

describe("exit code 130: cancelled by a signal", () => {
  it.live("SIGINT interrupts the CLI gracefully, keeps what it wrote and prints the session id", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const pidFile = Path.join(dir, "pid")
      const bin = yield* startBin(["--claude", SIGINT_SAFE_FAKE, "hi"], {
        env: { FAKE_CLAUDE_MODE: "wait-for-sigint", FAKE_CLAUDE_PID_FILE: pidFile }
      })
      // The text streams: it is on stdout while the CLI still runs.
      yield* bin.stdoutUntil((stdout) => stdout === "partial answer")
      yield* bin.kill("SIGINT")
      const run = yield* bin.exit
      assert.strictEqual(run.code, 130)
      assert.strictEqual(run.stdout, "partial answer\n")
      const [error, summary] = run.stderr.split(/(?<=\n)/)
      assert.strictEqual(
        error,
        `effect-claude-code: The Claude Code run was cancelled (cancel requested). Resume session ${FAKE_SESSION} to continue.\n`
      )
      assert.match(
        summary!,
        summaryPattern("cancelled", "0.0001", "3 in / 5 out / 0 cache read / 0 cache write", FAKE_SESSION)
      )
      assert.isFalse(isAlive(Number(Fs.readFileSync(pidFile, "utf8"))), "the CLI is gone")
    }).pipe(Effect.scoped))

  it.live("SIGTERM too; the CLI got SIGINT (it wrote its interrupted result) and events stop after it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const pidFile = Path.join(dir, "pid")
      const bin = yield* startBin(["--claude", SIGINT_SAFE_FAKE, "--transport", "pipe", "--output", "events", "hi"], {
        env: { FAKE_CLAUDE_MODE: "wait-for-sigint", FAKE_CLAUDE_PID_FILE: pidFile }
      })
      yield* bin.stdoutUntil((stdout) => stdout.split("\n").length > 2)
      yield* bin.kill("SIGTERM")
      const run = yield* bin.exit
      assert.strictEqual(run.code, 130)
      const lines = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))
      assert.deepStrictEqual(lines.map((line) => line.type), ["system", "assistant", "user", "result"])
      assert.strictEqual(lines[3].terminal_reason, "aborted_streaming")
      assert.strictEqual(lines[3].session_id, FAKE_SESSION)
      assert.match(run.stderr, new RegExp(`^effect-claude-code: The Claude Code run was cancelled .*${FAKE_SESSION}`))
      assert.isFalse(isAlive(Number(Fs.readFileSync(pidFile, "utf8"))), "the CLI is gone")
    }).pipe(Effect.scoped))
})

describe("exit code 141: stdout closed", () => {
  it.live("the reader goes away mid-run: the run stops, the CLI with it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const pidFile = Path.join(dir, "pid")
      // A 4 MB answer: far more than a pipe holds, so the command is still writing it.
      const bin = yield* startBin(["--claude", FAKE, "--transport", "pipe", "--output", "events", "hi"], {
        env: { FAKE_CLAUDE_MODE: "big-line", FAKE_CLAUDE_SIZE: String(4 * 1024 * 1024), FAKE_CLAUDE_PID_FILE: pidFile }
      })
      yield* bin.stdoutUntil((stdout) => stdout.includes(`"subtype":"init"`))
      yield* bin.closeStdout
      const run = yield* bin.exit
      assert.strictEqual(run.code, 141)
      assert.strictEqual(run.stderr, "")
      assert.isFalse(isAlive(Number(Fs.readFileSync(pidFile, "utf8"))), "the CLI is gone")
    }).pipe(Effect.scoped))
})
