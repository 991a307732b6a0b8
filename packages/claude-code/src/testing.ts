/**
 * Test helpers: a loopback stand-in for the Anthropic Messages API and the environment that makes
 * the real `claude` CLI use it, offline; and a `ClaudeCode` service that replays recorded runs.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ClaudeEnv from "./ClaudeEnv.js"

/**
 * @since 0.1.0
 */
export * as ModelServer from "./ModelServer.js"

/**
 * @since 0.1.0
 */
export * as Replay from "./Replay.js"
