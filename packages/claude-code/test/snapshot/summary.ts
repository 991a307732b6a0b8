/**
 * The fields of a `ClaudeResult` that Snapshot.test.ts compares between a run started from the
 * snapshot (snapshot/program.ts prints them) and the same run in the test's own process.
 */
import type { ClaudeResult } from "../../src/ClaudeResult.js"

export const summary = (result: ClaudeResult) => {
  const { costUsd, eventCount, hasResult, isError, model, numTurns, sessionId, text, usage } = result
  return { costUsd, eventCount, hasResult, isError, model, numTurns, sessionId, text, usage }
}
