/** The sampling input every benchmark builds: the API doc's typical body. */
export const BENCH_INPUT = {
  datasetId: "0123456789abcdef01234567",
  embeddingId: "89abcdef0123456789abcdef",
  body: {
    newTagName: "coreset-100",
    method: "CORESET" as const,
    config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
    rowCount: 4000,
  },
};
