// A worker that sometimes crashes, to show restart: on-failure with backoff.
const chance = Number(process.env.CRASH_CHANCE || 0.3);
let beats = 0;
console.log('flaky: up');
setInterval(() => {
  beats += 1;
  if (Math.random() < chance) {
    console.error(`flaky: crashing after ${beats} beat(s)`);
    process.exit(1);
  }
  console.log(`flaky: beat ${beats}`);
}, 2000);
