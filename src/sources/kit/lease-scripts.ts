/**
 * Redis leases shared by the stream pollers (Redis Streams groups, Kinesis shards): KEYS[1] is the
 * lease key, ARGV[1] the owner, ARGV[2] the time to live in ms.
 */

/** Takes the lease when free, or extends it when this owner holds it; 1 when held. */
export const LEASE_ACQUIRE = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Deletes the lease only if this owner holds it. */
export const LEASE_RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
