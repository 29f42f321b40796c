// The smoke tests CI runs apart from the quick suite (see tests/_shards.ts).
import { loadShard } from "./_shards.ts";

await loadShard("smoke");
