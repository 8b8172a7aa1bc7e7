/*
 * Timing of the job engine. The lease is short so that a job whose process died resumes quickly;
 * the heartbeat renews it three times per lease, so one slow renewal never loses a live job.
 */

/** How long a claim or renewal keeps other workers off a job. */
export const LEASE_MS = 15_000;
/** How often a running job renews its lease outside its steps. */
export const HEARTBEAT_MS = LEASE_MS / 3;
/** How often the sweeper looks for jobs nobody is running (and, in-process, for queued work). */
export const SWEEP_INTERVAL_MS = 2_000;
/** A NOT_STARTED job this old has presumably lost its queue message. */
export const UNCLAIMED_GRACE_MS = 2_000;
/** The most jobs one sweep hands out. */
export const SWEEP_BATCH = 100;
/** Bull's add() waits forever while Redis is down; the request never waits longer than this. */
export const ENQUEUE_TIMEOUT_MS = 1_000;
/** On shutdown, how long to wait for running jobs to reach their next step boundary. */
export const SHUTDOWN_GRACE_MS = 10_000;
/** A job claimed this many times (it crashed its worker, or keeps being interrupted) is failed. */
export const MAX_ATTEMPTS = 10;
/** Progress lines kept per job. */
export const MAX_JOB_UPDATES = 200;
/** waitForEnd() polls the row this often. */
export const WAIT_POLL_MS = 100;
