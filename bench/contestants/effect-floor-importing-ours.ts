// Start-up only: the Effect floor (contestant effect-floor.ts, unchanged) in a process that has also
// imported effect-claude-code, without using it. Its distance from the floor is what loading our
// library costs (parsing its code and Effect's Schema, and building the event model's schemas);
// our contestants' distance from it is what our run path costs.
import { ClaudeCode } from "effect-claude-code"
;(globalThis as { readonly keep?: unknown } & Record<string, unknown>).keep = ClaudeCode.run
await import("./effect-floor.js")
