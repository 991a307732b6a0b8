/**
 * The `effect-claude-code` command as a library: its definition and its exit codes.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Cli, ExitCode } from "effect-claude-code-cli"
 *
 * const answer = Cli.run(["node", "effect-claude-code", "--output", "json", "What is 2 + 2?"]).pipe(
 *   Effect.tap((code) => code === ExitCode.Done ? Effect.void : Effect.logError(`exit code ${code}`)),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */

/**
 * The command: `Cli.command`, `Cli.run(argv)`.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The exit codes and what each means.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.fromErrorTag("ClaudeFailure"), ExitCode.ClaudeFailed)
 * ```
 *
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"
