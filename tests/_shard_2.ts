// Shard 2 of the quick suite (see tests/_shards.ts).
import { loadShard } from "./_shards.ts";

await loadShard(2);
