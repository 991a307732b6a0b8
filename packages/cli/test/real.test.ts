// End to end: the command drives the real `claude` CLI, which talks to the project's loopback
// model server instead of the Anthropic API.
import { assert, describe, it } from "@effect/vitest"
import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
import * as Effect from "effect/Effect"
import { runBin, startBin, tempDir } from "./utils/bin.js"

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

/** The real CLI against a fresh server, in a fresh project directory. */
const setup = (options?: ModelServer.Options) =>
  Effect.gen(function*() {
    const server = yield* ModelServer.make(options)
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* tempDir
    return { server, claude, cwd, args: ["--claude", claude.executable, "--cwd", cwd] }
  })

describe("the real CLI", () => {
  it.scopedLive("--output text --partial: the answer streamed once, then the summary", () =>
    Effect.gen(function*() {
      const { args, claude, server } = yield* setup()
      const run = yield* runBin([...args, "--partial", "say hi"], { env: claude.env })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(run.stdout, "Hello from the loopback model server. You said: say hi\n")
      assert.match(
        run.stderr,
        new RegExp(
          `^done · \\$\\d+\\.\\d{4} · tokens 100 in / \\d+ out / 0 cache read / 0 cache write · \\d+\\.\\ds · ` +
            `session (${uuid}) · resume with: effect-claude-code --resume \\1 --cwd \\S+ PROMPT\\n$`
        )
      )
      const requests = yield* server.messages
      assert.strictEqual(requests.length, 1)
      assert.strictEqual(requests[0]!.text, "say hi")
    }))

  it.scopedLive("--output events: the CLI's events, from system/init to the result", () =>
    Effect.gen(function*() {
      const { args, claude } = yield* setup()
      const run = yield* runBin([...args, "--output", "events", "--transport", "pipe", "say hi"], { env: claude.env })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(run.stderr, "")
      const lines = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))
      assert.deepStrictEqual([lines[0].type, lines[0].subtype], ["system", "init"])
      const result = lines[lines.length - 1]
      assert.strictEqual(result.type, "result")
      assert.strictEqual(result.is_error, false)
      assert.strictEqual(result.result, "Hello from the loopback model server. You said: say hi")
      assert.isTrue(lines.every((line) => line.session_id === lines[0].session_id))
      const assistant = lines.filter((line) => line.type === "assistant")
      assert.deepStrictEqual(assistant.map((line) => line.message.content[0].text), [result.result])
    }))

  it.scopedLive("--output json: the folded result", () =>
    Effect.gen(function*() {
      const { args, claude } = yield* setup()
      const run = yield* runBin([...args, "--output", "json", "say hi"], { env: claude.env })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(run.stderr, "")
      assert.isTrue(run.stdout.endsWith("}\n") && run.stdout.indexOf("\n") === run.stdout.length - 1)
      const result = JSON.parse(run.stdout)
      assert.strictEqual(result.text, "Hello from the loopback model server. You said: say hi")
      assert.match(result.sessionId, new RegExp(`^${uuid}$`))
      assert.strictEqual(result.hasResult, true)
      assert.strictEqual(result.isError, false)
      assert.strictEqual(result.usage.inputTokens, 100)
      assert.strictEqual(result.numTurns, 1)
    }))

  it.scopedLive("SIGINT while the model is answering: exit 130 with the session id, and the session can be resumed", () =>
    Effect.gen(function*() {
      const { args, claude, server } = yield* setup({ replies: [ModelServer.hang] })
      const bin = yield* startBin([...args, "--output", "events", "wait for it"], { env: claude.env })
      // The CLI has written its init line and sent its request: the turn is under way.
      yield* bin.stdoutUntil((stdout) => stdout.includes("\n"))
      yield* server.awaitMessages(1)
      yield* bin.kill("SIGINT")
      const run = yield* bin.exit
      assert.strictEqual(run.code, 130, run.stderr)
      const lines = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))
      const sessionId: string = lines[0].session_id
      assert.match(
        run.stderr,
        new RegExp(`^effect-claude-code: The Claude Code run was cancelled .*Resume session ${sessionId}`)
      )

      // The CLI saved the session on SIGINT: resuming it sends the earlier prompt along.
      const resumed = yield* runBin([...args, "--resume", sessionId, "go on"], { env: claude.env })
      assert.strictEqual(resumed.code, 0, resumed.stderr)
      assert.strictEqual(resumed.stdout, "Hello from the loopback model server. You said: go on\n")
      const requests = yield* server.messages
      assert.include(JSON.stringify(requests[requests.length - 1]!.messages), "wait for it")
    }))
})
