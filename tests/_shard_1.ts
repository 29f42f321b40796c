// Shard 1 of the quick suite (see tests/_shards.ts).
import { loadShard } from "./_shards.ts";

await loadShard(1);
