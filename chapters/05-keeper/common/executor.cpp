// generated from final/common/executor.cpp; edit there
// common/executor.cpp — the manual and the threaded executor (see executor.h).
#include "common/executor.h"

namespace streamcraft {

bool ManualExecutor::run_next() {
  if (jobs_.empty()) return false;
  // Taken off the queue first: a job may submit another one.
  Job job = std::move(jobs_.front());
  jobs_.pop_front();
  job();
  return true;
}

void ManualExecutor::run_all() {
  while (run_next()) {
  }
}

ThreadExecutor::ThreadExecutor() : thread_([this] { run(); }) {}

ThreadExecutor::~ThreadExecutor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ThreadExecutor::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  changed_.notify_all();
}

void ThreadExecutor::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return jobs_.empty() && !running_job_; });
}

void ThreadExecutor::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    // Stopping still runs what is queued: a job may be the fsync that a checkpoint
    // written by the next one relies on.
    if (jobs_.empty()) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    running_job_ = true;
    lock.unlock();  // jobs wait on the disk; submit() and drain() must not wait on them
    job();
    lock.lock();
    running_job_ = false;
    changed_.notify_all();
  }
}

}  // namespace streamcraft
