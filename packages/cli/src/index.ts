/**
 * The `effect-claude-code` command as a library: its definition and its exit codes.
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
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"
