// Timers of the view on screen: the router clears them when the route changes, so a view never polls after it is
// gone.
const timers = new Set();

export function every(ms, task) {
  timers.add(setInterval(task, ms));
}

export function clearViewTimers() {
  for (const timer of timers) clearInterval(timer);
  timers.clear();
}
