// Start-up only: the Effect floor (contestant effect-floor.ts, unchanged) in a process that has also
// imported effect-claude-code, without using it. Its distance from the floor is what loading our
// library costs (parsing its code and Effect's Schema, and building the event model's schemas);
// our contestants' distance from it is what our run path costs.
// Both imports are static: a dynamic `import()` would make esbuild wrap the floor and every module
// it reaches in lazy initialisers, a cost neither of the others pays. Modules are evaluated in the
// order imported, so ours is loaded before the floor's "ready" mark (and its run).
import { ClaudeCode } from "effect-claude-code"
import "./effect-floor.js"
;(globalThis as { readonly keep?: unknown } & Record<string, unknown>).keep = ClaudeCode.run
