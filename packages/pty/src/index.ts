/**
 * @since 0.1.0
 */

/**
 * A child process on a pseudo-terminal, as a scoped Effect resource.
 *
 * @since 0.1.0
 */
export * as PtyProcess from "./PtyProcess.js"
