/**
 * Test helpers: a loopback stand-in for the Anthropic Messages API and the environment that makes
 * the real `claude` CLI use it, offline; and a `ClaudeCode` service that replays recorded runs.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * // the real CLI, answered by a scripted server on 127.0.0.1
 * const test = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* ModelServer.make({ script: (request) => ModelServer.text(`echo: ${request.text}`) })
 *     const claude = yield* ClaudeEnv.make(server)
 *     const result = yield* ClaudeCode.run("hi", { executable: claude.executable, env: claude.env })
 *     return result.text // "echo: hi"
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */

/**
 * The environment that points the real `claude` CLI at a {@link ModelServer}: a throw-away `HOME`,
 * the server's URL, nothing that could send traffic elsewhere.
 *
 * @since 0.1.0
 */
export * as ClaudeEnv from "./ClaudeEnv.js"

/**
 * A loopback stand-in for the Anthropic Messages API: scripted replies, every request recorded.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const program = ModelServer.make({ replies: [ModelServer.text("scripted")] })
 * ```
 *
 * @since 0.1.0
 */
export * as ModelServer from "./ModelServer.js"

/**
 * A `ClaudeCode` service that replays recorded runs.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const answer = ClaudeCode.run("What is 2 + 2?").pipe(
 *   Effect.provide(Replay.layer({ "What is 2 + 2?": "recordings/two.ndjson" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
export * as Replay from "./Replay.js"
