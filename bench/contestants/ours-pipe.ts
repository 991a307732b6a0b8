// Contestant 4: effect-claude-code over pipes (@effect/platform CommandExecutor).
import { main } from "./ours.js"

await main("pipe")
