// The real BullMQ Worker the rctl integration tests run: one Node process, one Worker per
// queue named in argv as PREFIX/QUEUE (e.g. bull/mail {rctl}/reports), on REDIS_PORT.
// Prints "ready" once every worker listens; stops on SIGTERM (Worker.close waits for the
// jobs in progress).
//
// What a job does depends on its name:
//   add        returns data.a + data.b
//   fail       always throws Error("failed on purpose: <data.msg>")
//   fail_once  throws on its first attempt (attemptsMade 0), returns "ok after retry" later
//   anything   returns {name, data} (the job as the worker received it)
import { Worker } from 'bullmq';

const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) };

async function processJob(job) {
  switch (job.name) {
    case 'add':
      return job.data.a + job.data.b;
    case 'fail':
      throw new Error(`failed on purpose: ${job.data.msg}`);
    case 'fail_once':
      if (job.attemptsMade === 0) throw new Error(`first attempt fails: ${job.data.msg}`);
      return 'ok after retry';
    default:
      return { name: job.name, data: job.data };
  }
}

const workers = process.argv.slice(2).map(spec => {
  const slash = spec.lastIndexOf('/');
  const prefix = spec.slice(0, slash);
  const queue = spec.slice(slash + 1);
  return new Worker(queue, processJob, { connection, prefix, concurrency: 4 });
});
await Promise.all(workers.map(w => w.waitUntilReady()));
console.log('ready');

process.on('SIGTERM', async () => {
  await Promise.all(workers.map(w => w.close()));
  process.exit(0);
});
