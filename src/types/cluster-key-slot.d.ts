/** The Redis Cluster hash slot of a key (its `{tag}` if it has one), as ioredis computes it. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
